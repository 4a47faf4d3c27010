/**
 * The one way a spec file's config string (`doc_to_text`, `doc_to_choice`, `doc_to_target`) becomes a function of
 * the document. Spec files are lm-eval task configs, which lm-eval renders with Jinja in Python, so a template is
 * read by `docTemplate.ts` (Python's semantics: `strip` is `str.strip`, values print as `str` prints them) whenever
 * it stays within that subset. Only a template docTemplate refuses, one with statements (`{% %}`), filters (`|`) or
 * other expressions it does not evaluate, is rendered by `@huggingface/jinja`, whose strings follow JavaScript
 * (its `strip` is `String.trim`); those templates are the only ones whose text can differ from lm-eval's.
 */
import { Template } from '@huggingface/jinja';
import type { Doc } from '../task.ts';
import { DocTemplateError, docChoices, docText, docValue } from './docTemplate.ts';

export interface ConfigTemplate {
  /**
   * The template's value: the field a bare name names, the value of a lone `{{ expression }}` (a list stays a list),
   * else the rendered text. Rendering errors (an undefined value, a missing list item) are thrown.
   */
  value(doc: Doc): unknown;
  /** The rendered text (a value printed as Python's `str` prints it, on the python path). */
  text(doc: Doc): string;
  /**
   * A `doc_to_choice` template's list: the value when it is a list, else the rendered text read as a list literal
   * (Python's, as lm-eval's `ast.literal_eval`, on the python path; JSON on the jinja path). Items become strings.
   */
  choices(doc: Doc): string[];
}

/** Reads a config string once; throws `DocTemplateError` when neither reader accepts it. */
export function compileConfigTemplate(source: string): ConfigTemplate {
  try {
    return { value: docValue(source), text: docText(source), choices: docChoices(source) };
  } catch (err) {
    if (!(err instanceof DocTemplateError)) throw err;
  }
  let template: Template;
  try {
    template = new Template(source);
  } catch (err) {
    throw new DocTemplateError(source, `invalid jinja template: ${(err as Error).message}`);
  }
  const render = (doc: Doc): string => template.render(doc);
  return {
    value: render,
    text: render,
    choices(doc) {
      const text = render(doc);
      let list: unknown;
      try {
        list = JSON.parse(text);
      } catch {
        /* refused below */
      }
      if (!Array.isArray(list) || list.length === 0) throw new DocTemplateError(source, `gives ${JSON.stringify(text)}, not a non-empty list of choices`);
      return list.map(String);
    },
  };
}
