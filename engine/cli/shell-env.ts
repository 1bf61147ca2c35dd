// Environment variables as a shell reads them back, exactly: `eval "$(memcloud cache env)"` must
// set each value byte for byte, whatever it contains.

export type ShellKind = 'sh' | 'fish' | 'powershell';

/** POSIX sh: single quotes keep everything literal; a quote itself is closed, escaped, reopened. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** fish: inside single quotes only \\ and \' are escapes. */
export function fishQuote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** PowerShell: inside single quotes a quote is doubled (also the typographic ones PowerShell treats as quotes). */
export function powershellQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One line that sets `name` to `value` in the given shell. */
export function setVariable(shell: ShellKind, name: string, value: string): string {
  if (!NAME.test(name)) throw new Error(`not an environment variable name: ${name}`);
  switch (shell) {
    case 'sh':
      return `export ${name}=${shQuote(value)}`;
    case 'fish':
      return `set -gx ${name} ${fishQuote(value)}`;
    case 'powershell':
      return `$env:${name} = ${powershellQuote(value)}`;
  }
}

/** A comment line; line breaks in the text cannot end the comment early. */
export function comment(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, ' ')}`;
}
