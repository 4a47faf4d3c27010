# One image for every sciboard process of a deployment: the site (`start`), the workers (`worker`) and
# one-off commands (`data pull`, `token create`). See docker-compose.yml and the README's Deploying section.
FROM node:20-bookworm-slim
# better-sqlite3 compiles from source when its prebuilt binary cannot be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 \
    SCIBOARD_CACHE=/var/cache/sciboard SCIBOARD_CACHE_DIR=/var/cache/sciboard/graphs
COPY . .
# npm ci's prepare step compiles the CLI; the site is built once here rather than at every start.
RUN npm ci --no-audit --no-fund && npm run build -w @sciboard/web
ENTRYPOINT ["node", "packages/cli/bin/sciboard.mjs"]
CMD ["--help"]
