/** The import contract: an importer reads a foreign file and plans the Assay files to write. */

export const IMPORT_FORMATS = ['promptfoo', 'openai-evals', 'inspect', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One file an import will write. */
export interface PlannedFile {
  /** Path relative to the output directory, with `/` separators. */
  path: string;
  /** What it holds, e.g. `12 tasks`. */
  summary: string;
  /** Writes the file at `destination` (streamed for large task files). */
  write(destination: string): Promise<void>;
}

/** Something in the source that was not imported, and why. */
export interface SkippedItem {
  /** What was skipped, e.g. `test "refund window": assert[1] python`. */
  item: string;
  /** Where it is written, `file:line[:column]`. */
  where: string;
  reason: string;
}

export interface ImportPlan {
  format: ImportFormat;
  /** The imported file, as given. */
  source: string;
  files: PlannedFile[];
  skipped: SkippedItem[];
  /** Things imported with a change of meaning worth knowing (not skipped). */
  notes: string[];
  counts: { prompts: number; targets: number; tasks: number };
  /** Absolute paths the import read: never overwritten, even with --force. */
  inputs: string[];
}

/** How an import may read: the dataset importers read only their one file and ignore these. */
export interface ImportOptions {
  /** Read files a config refers to outside its folder (absolute paths, `..`, symlinks leading out). */
  allowOutside?: boolean;
  /** The environment a promptfoo config's default grader is chosen by (key names only; default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Reads one source file and plans the import; throws UserError (file:line) on bad input. */
export type Importer = (file: string, options?: ImportOptions) => Promise<ImportPlan>;
