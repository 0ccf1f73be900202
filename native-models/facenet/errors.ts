/** A FaceNet network asked for something it cannot do. `field` names the argument at fault. */
export class FaceNetError extends Error {
  override readonly name = 'FaceNetError';
  readonly field: string;

  constructor(message: string, field: string) {
    super(message);
    this.field = field;
  }
}
