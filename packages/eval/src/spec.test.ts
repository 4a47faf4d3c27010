import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTaskSpec } from './spec.ts';
import { scoreNow } from './task.ts';
import { samplesDir } from './testing/sharedData.ts';

describe('spec-file suites', () => {
  it('multiple choice: templates, first-n shots and scoring', () => {
    const def = loadTaskSpec(join(samplesDir, 'science-mc.yaml'));
    expect(def.name).toBe('sample_science_mc');
    const task = def.prepare({ dataDir: '/nonexistent', numFewshot: 1 });
    expect(task.docs).toHaveLength(8);
    const req = task.request(1);
    expect(req).toEqual({
      kind: 'loglikelihood',
      context:
        'The following are multiple choice questions (with answers) about basic science.\n\n' +
        'Which planet is closest to the Sun?\nA. Venus\nB. Mercury\nC. Mars\nD. Earth\nAnswer: B\n\n' +
        'Which gas makes up the largest share of the air we breathe?\nA. Oxygen\nB. Carbon dioxide\nC. Nitrogen\nD. Argon\nAnswer:',
      continuations: [' A', ' B', ' C', ' D'],
    });
    expect(task.target(1)).toBe(2);
    const lp = (xs: number[]) => ({ kind: 'loglikelihood' as const, results: xs.map((logprob) => ({ logprob, isGreedy: false })) });
    expect(scoreNow(task.score(task.docs[1]!, lp([-3, -2, -1, -4]))).scores).toEqual({ 'acc,none': 1, 'acc_norm,none': 1 });
    // Ties go to the first index, as numpy's argmax.
    expect(scoreNow(task.score(task.docs[1]!, lp([-1, -1, -1, -1]))).scores['acc,none']).toBe(0);
    expect(scoreNow(task.score(task.docs[0]!, lp([-1, -1, -1, -1]))).filtered).toEqual({ none: 'A' });
  });

  it('generation: stop sequences, regex filters and exact match', () => {
    const task = loadTaskSpec(join(samplesDir, 'arithmetic.yaml')).prepare({ dataDir: '/nonexistent' });
    expect(task.metricKeys).toEqual(['exact_match,strict-match', 'exact_match,flexible-extract']);
    expect(task.request(0)).toEqual({
      kind: 'generate_until',
      context: 'Question: A baker fills 6 trays with 8 rolls each and sells 15 rolls before noon. How many rolls are left?\nAnswer:',
      until: ['\n\n', 'Question:'],
      maxTokens: 64,
    });
    const gen = (text: string) => scoreNow(task.score(task.docs[0]!, { kind: 'generate_until', text, finishReason: 'stop' }));
    expect(gen(' 6*8=48, 48-15=33. The answer is 33.')).toEqual({
      filtered: { 'strict-match': '33.', 'flexible-extract': '33.' },
      scores: { 'exact_match,strict-match': 1, 'exact_match,flexible-extract': 1 },
      answerFound: { 'strict-match': true, 'flexible-extract': true },
    });
    const loose = gen(' 48 rolls minus 15 leaves 33');
    expect(loose.scores).toEqual({ 'exact_match,strict-match': 0, 'exact_match,flexible-extract': 1 });
    expect(loose.filtered['strict-match']).toBe('[invalid]');
    expect(loose.answerFound).toEqual({ 'strict-match': false, 'flexible-extract': true });
  });

  it('renders templates with Python\'s semantics, as lm-eval renders its configs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spec-'));
    // \x1c and \x85 are whitespace to Python's str.strip and not to JavaScript's trim; \ufeff is the reverse.
    const rows = [
      { question: '\x1c\x85 Why? \x85\x1c', options: ['yes', 'no'], label: 1 },
      { question: '\ufeffWhy?\ufeff ', options: ['yes', 'no'], label: 0 },
    ];
    writeFileSync(join(dir, 'd.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const spec = (name: string, text: string) => {
      writeFileSync(join(dir, name), `task: t\ndata_files: d.jsonl\n${text}`);
      return loadTaskSpec(join(dir, name)).prepare({ dataDir: dir });
    };
    const mc = spec('mc.yaml', 'output_type: multiple_choice\ndoc_to_text: "Q: {{ question.strip() }}"\ndoc_to_choice: "{{ options }}"\ndoc_to_target: label\nmetric_list: [{metric: acc}]\n');
    expect(mc.request(0)).toEqual({ kind: 'loglikelihood', context: 'Q: Why?', continuations: [' yes', ' no'] });
    expect(mc.request(1)).toMatchObject({ context: 'Q: \ufeffWhy?\ufeff' });
    expect(mc.target(0)).toBe(1);
    // A rendered choice list is read as lm-eval's ast.literal_eval reads it; a list prints as Python's repr.
    const literal = spec('lit.yaml', `output_type: multiple_choice\ndoc_to_text: "{{ options }}"\ndoc_to_choice: "['{{ options[1] }}', 'maybe']"\ndoc_to_target: "{{ label }}"\nmetric_list: [{metric: acc}]\n`);
    expect(literal.request(0)).toEqual({ kind: 'loglikelihood', context: "['yes', 'no']", continuations: [' no', ' maybe'] });
    // Filters and statements are outside the Python subset: @huggingface/jinja renders those templates.
    const gen = spec('gen.yaml', 'output_type: generate_until\ndoc_to_text: "{% if label %}Hard: {% endif %}{{ options | join(\'/\') }}"\ndoc_to_target: "{{ options[label] }}"\nmetric_list: [{metric: exact_match}]\n');
    expect(gen.request(0)).toMatchObject({ context: 'Hard: yes/no' });
    expect(gen.target(0)).toBe('no');
    // lm-eval's environment is StrictUndefined: a missing field is an error naming the template's field, not "".
    const missing = spec('miss.yaml', 'output_type: generate_until\ndoc_to_text: "{{ passage }}"\ndoc_to_target: "{{ label }}"\nmetric_list: [{metric: exact_match}]\n');
    expect(() => missing.request(0)).toThrow(/miss\.yaml, line 4, field "doc_to_text": .*renders an undefined value/);
  });

  it('errors name the spec file, line and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spec-'));
    writeFileSync(join(dir, 'd.jsonl'), '{"q": "x", "a": "9"}\n');
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const base = 'task: t\ndata_files: d.jsonl\ndoc_to_text: "{{ q }}"\ndoc_to_target: "{{ a }}"\n';
    expect(() => loadTaskSpec(write('a.yaml', `${base}output_type: ranking\nmetric_list: [{metric: acc}]\n`))).toThrow(
      /a\.yaml, line 5, field "output_type": expected multiple_choice or generate_until, got "ranking"/,
    );
    expect(() =>
      loadTaskSpec(
        write(
          'b.yaml',
          `${base}output_type: generate_until\nmetric_list: [{metric: exact_match}]\nfilter_list:\n  - name: f\n    filter:\n      - function: regex\n        regex_pattern: "(unclosed"\n`,
        ),
      ),
    ).toThrow(/b\.yaml, line 11, field "filter_list\[0\]\.filter\[0\]\.regex_pattern": invalid regular expression/);
    expect(() => loadTaskSpec(write('c.yaml', 'task: [unclosed\n'))).toThrow(/c\.yaml, line \d+: invalid YAML/);
    expect(() => loadTaskSpec(write('d.json', JSON.stringify({ task: 't', output_type: 'multiple_choice' })))).toThrow(
      /d\.json.*field "doc_to_text": expected a string \(missing\)/,
    );
    const mc = loadTaskSpec(
      write('e.yaml', `${base}output_type: multiple_choice\ndoc_to_choice: ["0", "2"]\nmetric_list: [{metric: acc}]\n`),
    ).prepare({ dataDir: dir });
    expect(() => mc.target(0)).toThrow(/e\.yaml, line 4, field "doc_to_target": gave "9", which is neither a choice index nor one of/);
  });
});
