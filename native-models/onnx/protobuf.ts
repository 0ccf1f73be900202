/**
 * A protocol-buffers writer just big enough for ONNX files: varints, 32-bit floats and
 * length-delimited fields (strings, bytes, nested messages). Why our own and not protobufjs with
 * onnx.proto: we only ever write (never parse), the ONNX subset is a dozen message types, and
 * ~80 lines with no dependency and no schema file to vendor keep the output byte-for-byte
 * deterministic, which the converted-model cache relies on.
 *
 * Encoding follows onnx.proto (proto2): repeated scalars are written unpacked, one tag each.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LENGTH = 2;

const textEncoder = new TextEncoder();

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  get byteLength(): number {
    return this.size;
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
  }

  private rawVarint(value: bigint): void {
    const bytes: number[] = [];
    let rest = BigInt.asUintN(64, value); // negative int64s are ten bytes of two's complement
    do {
      let byte = Number(rest & 0x7fn);
      rest >>= 7n;
      if (rest !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (rest !== 0n);
    this.push(Uint8Array.from(bytes));
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(BigInt((field << 3) | wire));
  }

  /** int32, int64 and enum fields. */
  int(field: number, value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf field ${field}: ${value} is not a safe integer`);
    this.tag(field, WIRE_VARINT);
    this.rawVarint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH);
    this.rawVarint(BigInt(value.byteLength));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  message(field: number, inner: ProtoWriter): this {
    this.tag(field, WIRE_LENGTH);
    this.rawVarint(BigInt(inner.size));
    for (const chunk of inner.chunks) this.push(chunk);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }
}
