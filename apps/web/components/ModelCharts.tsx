'use client';
/** The model page's charts: per-subject accuracy, score against size across the board, and checkpoint history. */
import {
  Bar,
  BarChart,
  CartesianGrid,
  ErrorBar,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
} from 'recharts';
import { PERCENT_TICKS, percentTick } from '../lib/chart-ticks.ts';

export interface SubjectBar {
  subject: string;
  value: number;
  /** Half-width of the 95% interval, for the error bar. */
  error: number;
}
export interface SizePoint {
  model: string;
  params: number;
  average: number;
  self: boolean;
}
export interface HistoryPoint {
  label: string;
  [column: string]: number | string;
}

const axisColor = 'currentColor';

export function SubjectChart({ data }: { data: SubjectBar[] }) {
  if (data.length === 0) return <p className="muted">No per-subject scores stored for this model.</p>;
  return (
    <div className="chart" style={{ height: Math.max(220, data.length * 22 + 60) }} aria-label="Per-subject accuracy">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ left: 20, right: 20 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
          <XAxis type="number" domain={[0, 100]} ticks={PERCENT_TICKS} allowDataOverflow stroke={axisColor} tickFormatter={percentTick} />
          <YAxis type="category" dataKey="subject" width={200} stroke={axisColor} tick={{ fontSize: 11 }} />
          <Tooltip formatter={(v) => `${Number(v).toFixed(2)}%`} />
          <Bar dataKey="value" name="accuracy" fill="#4c84d9" isAnimationActive={false}>
            <ErrorBar dataKey="error" width={4} stroke="#888" direction="x" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function SizeChart({ data, averageName }: { data: SizePoint[]; averageName: string }) {
  if (data.length === 0) return <p className="muted">No measured models with a known size on this board.</p>;
  const others = data.filter((d) => !d.self);
  const self = data.filter((d) => d.self);
  return (
    <div className="chart" aria-label={`${averageName} against parameter count`}>
      <ResponsiveContainer width="100%" height="100%">
        <ScatterChart margin={{ left: 10, right: 20, bottom: 10 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
          <XAxis type="number" dataKey="params" name="parameters" scale="log" domain={['auto', 'auto']} stroke={axisColor}
            tickFormatter={(v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(1)}B` : `${(v / 1e6).toFixed(1)}M`)} />
          <YAxis type="number" dataKey="average" name={averageName} stroke={axisColor} tickFormatter={percentTick} />
          <ZAxis dataKey="model" name="model" />
          <Tooltip cursor={{ strokeDasharray: '3 3' }} />
          <Legend />
          <Scatter name="other models" data={others} fill="#8a94a6" isAnimationActive={false} />
          <Scatter name="this model" data={self} fill="#e0592a" isAnimationActive={false} />
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}

const LINE_COLOURS = ['#4c84d9', '#e0592a', '#2a9d6f', '#b455c8', '#c99a1a', '#5a6b7d'];

export function HistoryChart({ data, columns }: { data: HistoryPoint[]; columns: string[] }) {
  if (data.length < 2) return <p className="muted">One checkpoint so far; the history line appears with the second.</p>;
  return (
    <div className="chart" aria-label="Checkpoint history">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ left: 10, right: 20 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
          <XAxis dataKey="label" stroke={axisColor} />
          <YAxis stroke={axisColor} tickFormatter={percentTick} />
          <Tooltip />
          <Legend />
          {columns.map((c, i) => (
            <Line key={c} type="monotone" dataKey={c} stroke={LINE_COLOURS[i % LINE_COLOURS.length]} connectNulls isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
