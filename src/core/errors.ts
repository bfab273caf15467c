/**
 * Typed errors. Every message names the file (or node, or option) and says what to do, so the
 * CLI and the action can print `error.message` alone: no stack trace reaches a user.
 */

/** Base class: an error whose message is fit to show a user as is. */
export class EdgePerfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A model file that cannot be read: wrong format, truncated, unsupported construct. */
export class ModelFormatError extends EdgePerfError {
  /**
   * @param file path of the model as the user names it
   * @param problem what is wrong and, where possible, how to fix it
   */
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** A shape rule that cannot be applied to a node's inputs. */
export class ShapeError extends EdgePerfError {
  /**
   * @param node node name
   * @param op op type
   * @param problem what rule failed and on which inputs
   */
  constructor(
    readonly node: string,
    readonly op: string,
    readonly problem: string,
  ) {
    super(`node '${node}' (${op}): ${problem}`);
  }
}

/** Invalid configuration: action inputs, CLI options or the budgets YAML file. */
export class ConfigError extends EdgePerfError {
  /**
   * @param source the input name or file path that holds the bad value
   * @param problem what is wrong and the accepted form
   */
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`);
  }
}

/** A target id that is not in models/perfsage/targets.json. */
export class UnknownTargetError extends EdgePerfError {
  /**
   * @param id the unknown id
   * @param known every known target id
   */
  constructor(
    readonly id: string,
    readonly known: string[],
  ) {
    super(`unknown target '${id}'. Known targets: ${known.join(', ')}`);
  }
}

/** The message to show a user for any thrown value: ours as is, others with their class. */
export function describeError(err: unknown): string {
  if (err instanceof EdgePerfError) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
