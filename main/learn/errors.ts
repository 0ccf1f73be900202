/** Input the learning code cannot use. `field` names the argument or option at fault, for the message shown to the user. */
export class LearnInputError extends Error {
  override readonly name = 'LearnInputError';
  readonly field: string;

  constructor(message: string, field: string) {
    super(message);
    this.field = field;
  }
}
