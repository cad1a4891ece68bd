import { readFile } from 'node:fs/promises'
import { parse } from 'acorn'
import { JobSyntaxError } from '../../errors.js'
import type { ModuleDeclaration, Program, Statement } from 'acorn'

/**
 * Reads a job file and checks it as the holder's sandbox will see it, so a mistake costs no
 * search and no round trip: it must parse as an ES module, import nothing (the sandbox loads no
 * modules) and export a default function. Errors name `file:line:column` as editors do.
 */
export async function readJobFile (file: string): Promise<string> {
  let code: string
  try {
    code = await readFile(file, 'utf8')
  } catch (err: any) {
    throw new Error(`cannot read the job file ${file} (${err.code ?? err.message})`)
  }
  checkJob(file, code)
  return code
}

export function checkJob (file: string, code: string): void {
  let program: Program
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true })
  } catch (err: any) {
    if (err?.loc == null) throw err
    // acorn appends " (line:column)" to its message; the location goes in front instead
    throw new JobSyntaxError(file, String(err.message).replace(/ \(\d+:\d+\)$/, ''), { line: err.loc.line, column: err.loc.column + 1 })
  }
  for (const node of program.body) {
    const source = importSource(node)
    if (source != null) {
      const start = node.loc?.start
      throw new JobSyntaxError(file, `a job cannot import modules ("${source}"): the sandbox loads none; put what it needs in the file`, start != null ? { line: start.line, column: start.column + 1 } : undefined)
    }
  }
  if (!program.body.some(exportsDefault)) {
    throw new JobSyntaxError(file, 'no default export: write `export default async function ({ data, args, progress, log }) { … }`')
  }
}

function importSource (node: Statement | ModuleDeclaration): string | undefined {
  if (node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || (node.type === 'ExportNamedDeclaration' && node.source != null)) {
    return String(node.source?.value ?? '')
  }
  return undefined
}

function exportsDefault (node: Statement | ModuleDeclaration): boolean {
  if (node.type === 'ExportDefaultDeclaration') return true
  return node.type === 'ExportNamedDeclaration' && node.specifiers.some(s => (s.exported.type === 'Identifier' ? s.exported.name : s.exported.value) === 'default')
}

/**
 * The holder names the job `job.js` in its stack traces; a person knows it by its own file
 * name, and the lines and columns are the same (the file is sent as it is).
 */
export function inJobFile (file: string, message: string): string {
  return message.replace(/\bjob\.js:(\d+):(\d+)/g, (_match, line: string, column: string) => `${file}:${line}:${column}`)
}
