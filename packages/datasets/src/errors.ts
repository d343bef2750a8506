/** A data file that is missing, truncated, corrupt or not what it should be. The message starts with the file. */
export class DataFileError extends Error {
  override name = "DataFileError";

  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}
