import { describe, expect, it } from 'vitest';
import { DocTemplateError, docChoiceIndex, docChoiceIndices, docChoices, docText, docValue } from './docTemplate.ts';

describe('doc templates, rendered as lm-eval renders them in Python', () => {
  it('strips with Python\'s str.strip and reads list items, as the MMLU prompt does', () => {
    const mmlu = docText('{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\nC. {{choices[2]}}\nD. {{choices[3]}}\nAnswer:');
    const doc = { question: '\x1c What is 2+2? \u00a0\n', choices: ['3', '4', '5', '6'], answer: 1 };
    expect(mmlu(doc)).toBe('What is 2+2?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:');
    // U+FEFF is not whitespace to Python, whatever JavaScript's trim says.
    expect(docText('{{q.strip()}}')({ q: '\ufeffx\ufeff ' })).toBe('\ufeffx\ufeff');
  });

  it('gives a choice index from a field or from list.index, as C-Eval and MMLU targets do', () => {
    expect(docChoiceIndex("{{['A', 'B', 'C', 'D'].index(answer)}}")({ answer: 'C' })).toBe(2);
    expect(docChoiceIndex('answer')({ answer: 3 })).toBe(3);
    expect(() => docChoiceIndex("{{['A', 'B'].index(answer)}}")({ answer: 'E' })).toThrow(DocTemplateError);
  });

  it('splits, counts negative subscripts from the end and tests definedness, as gsm8k_cot\'s target does', () => {
    const target = docText("{{answer.split('####')[-1].strip() if answer is defined else target}}");
    expect(target({ question: 'q', answer: 'work\n#### 72 ' })).toBe('72');
    expect(target({ question: 'q', target: 'The answer is 6.' })).toBe('The answer is 6.');
    expect(docText('{{answer if few_shot is undefined else solution}}')({ answer: '5', solution: 's', few_shot: '1' })).toBe('s');
  });

  it('reads choice lists and gold lists as lm-eval\'s ast.literal_eval reads them, as AGIEval\'s config does', () => {
    const doc = { query: 'q', choices: ["(A)it's", '(B)2'], gold: [0, 1] };
    expect(docChoices('{{choices}}')(doc)).toEqual(["(A)it's", '(B)2']);
    expect(docChoices('choices')(doc)).toEqual(["(A)it's", '(B)2']);
    expect(docChoices("['{{query}}', 'x\\x41']")(doc)).toEqual(['q', 'xA']);
    expect(docChoiceIndices('{{gold}}')(doc)).toEqual([0, 1]);
    expect(docChoiceIndices('[{{gold[1]}}]')(doc)).toEqual([1]);
    expect(docChoiceIndices('{{gold[0]}}')(doc)).toEqual([0]);
    expect(() => docChoices('{{query}}')(doc)).toThrow(/not a Python literal/);
    expect(() => docChoiceIndices('{{choices}}')(doc)).toThrow(/not choice indices/);
  });

  it('gives a lone expression\'s value, and prints None and escapes as Python does', () => {
    expect(docValue('{{choices}}')({ choices: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(docValue('{{n}}')({ n: 3 })).toBe(3);
    expect(docValue('n = {{n}}')({ n: 3 })).toBe('n = 3');
    expect(docText('{{x}} {{[x, 1]}}')({ x: null })).toBe('None [None, 1]');
    // A list prints as Python's repr: unprintable characters escaped, printable ones kept (CPython's output).
    expect(docText('{{x}}')({ x: ['a\x1c', '\xa0', "it's", '\ufeff', 'é'] })).toBe(`['a\\x1c', '\\xa0', "it's", '\\ufeff', 'é']`);
    expect(docText("{{'\\u00e9\\101\\q'}}")({})).toBe('\u00e9A\\q');
    expect(() => docValue('{{missing}}')({})).toThrow(/undefined value/);
  });

  it('keeps the text around blocks exactly, a final newline included', () => {
    expect(docText('Question: {{question}}\nAnswer:')({ question: 'Why?' })).toBe('Question: Why?\nAnswer:');
    expect(docText('Q: {{ question }}\n')({ question: 'a' })).toBe('Q: a\n');
    expect(docText('{{n}} items')({ n: 3 })).toBe('3 items');
  });

  it('reads a bare field name as the field, and other bare words as text', () => {
    expect(docText('answer')({ answer: 'forty-two' })).toBe('forty-two');
    expect(docText('answer')({ question: 'q' })).toBe('answer');
  });

  it('refuses an undefined value when rendering and unsupported syntax when reading', () => {
    expect(() => docText('{{missing}}')({})).toThrow(/renders an undefined value/);
    expect(() => docText('{{ question | upper }}')).toThrow(DocTemplateError);
    expect(() => docText('{% if x %}a{% endif %}')).toThrow(/statements/);
    expect(() => docText('{{ question.title() }}')).toThrow(/unsupported attribute "title"/);
    expect(() => docText('{{ question')).toThrow(/never closed/);
  });
});
