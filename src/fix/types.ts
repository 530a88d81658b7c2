import type { FileSystem } from '../fs.js';
import type { DeploymentEnvironment, DeploymentService } from '../model.js';
import type { Consumer, Finding, FixReplacement } from '../types.js';

/** One replacement in a file's text as it was read: [start, end) offsets (UTF-16), replaced by `text`. */
export interface TextEdit {
  /** Root-relative, '/' separators. */
  file: string;
  start: number;
  end: number;
  text: string;
}

/** Why a place is not edited, and what a person has to decide instead. */
export interface Refusal {
  refused: string;
  decide: string;
}

export const isRefusal = (value: unknown): value is Refusal => typeof value === 'object' && value !== null && 'refused' in value;

/** The place that decides a worker's queues in one environment, and how to add queues there. */
export interface QueuePlace {
  /** Identity of the place (file and span): requests for the same place become one edit. */
  key: string;
  file: string;
  /** For messages: `RQ_QUEUES in docker-compose.prod.yml:11`. */
  where: string;
  /** The edit that adds `queues`, in order, to what is written there. */
  add(queues: string[]): TextEdit | Refusal;
  /** Another variable whose value this place is (an `.env` line behind `${RQ_QUEUES}`): its other uses make it ambiguous. */
  variable?: string;
}

/** What an edit kind needs to find and edit a place. */
export interface EditContext {
  /** Absolute project root. */
  root: string;
  /** The project's files, read once each (the text edits are computed against). */
  files: ProjectFiles;
  /** Where an interpolation variable comes from (compose: env file line, --var, shell); undefined when unset. */
  variableOrigin(name: string): VariableOriginInfo | undefined;
}

export type VariableOriginInfo = { kind: 'env-file'; file: string; line: number } | { kind: 'var' } | { kind: 'shell' };

/** A consumer of one environment, with its service as the source read it. */
export interface ConsumerTarget {
  consumer: Consumer;
  service: DeploymentService;
  environment: DeploymentEnvironment;
  /** Every environment of the run (a file shared by several environments is edited for all of them). */
  deployment?: DeploymentEnvironment[];
}

/**
 * One kind of place a worker's queue list can be written in (compose `environment`, an env file line, a `command`).
 * A new deployment source adds its kind (a Kubernetes `args`/`env` entry) as one file and one registry line.
 */
export interface QueueEditKind {
  id: string;
  /**
   * The kind edits the project file a worker program reads its queues from (a sidekiq.yml), so it is asked about
   * workers whose queues are that file's (queueSource `code-default`), which are otherwise left to a person.
   */
  projectConfig?: true;
  /** The place that decides `target`'s queues; undefined when this kind does not handle it. */
  locate(target: ConsumerTarget, context: EditContext): QueuePlace | Refusal | undefined;
}

/** A planned change: the edits of one place and the findings it fixes. */
export interface PlannedFix {
  /** What the change does, one sentence. */
  description: string;
  /** The place it changes, as the description names it (`RQ_QUEUES in .env:3`): a finding's hint names the same. */
  where?: string;
  edits: TextEdit[];
  findings: Finding[];
  /** The edits as replacements in lines and columns (set once the plan is checked). */
  replacements?: FixReplacement[];
}

/** A fixable finding left alone: why, and what a person should decide. */
export interface SkippedFinding {
  finding: Finding;
  reason: string;
  decide: string;
  /** The place that decides the queues exists but also configures workers that do not need the queue. */
  shared?: true;
}

/** Reads project files once (root-relative names), refusing anything that is not a regular file inside the root. */
export interface ProjectFiles {
  fs: FileSystem;
  /** The text of a root-relative file; throws a Refusal-carrying error when it cannot be read. */
  text(file: string): string | Refusal;
}
