/** Where a command writes. Only main() decides exit codes. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** An action that was refused or failed: exit code 1, message on stderr. */
export class CommandFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandFailed";
  }
}
