/**
 * Videos (MP4, MOV, M4V, 3GP, MKV): frames sampled with the ffmpeg binary that ships inside the optional npm
 * dependency @ffmpeg-installer/ffmpeg (a per-platform package), required on the first video. Where it is
 * missing, videos are reported as skipped with that reason and everything else scans as before.
 *
 * ffmpeg always runs with a time limit and the caller's abort signal, and is killed with SIGKILL on either;
 * `spawnFfmpeg` is the one place it is started, for a process-group policy to wrap. Frames come back through a
 * pipe as PPM (no temporary files), upright (ffmpeg applies the display-matrix rotation), shrunk to maxSide.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { RgbImage } from '../core/types.ts';
import { endWithFacet, guardedEnv } from './childGuard.ts';
import { parseQuickTimeDate } from './dates.ts';

export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(['.mp4', '.mov', '.m4v', '.3gp', '.mkv']);

export function isVideoPath(file: string): boolean {
  return VIDEO_EXTENSIONS.has(path.extname(file).toLowerCase());
}

export class VideoError extends Error {
  override readonly name = 'VideoError';
  constructor(readonly file: string, readonly reason: 'no-video-support' | 'corrupt' | 'timeout', message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface VideoSampling {
  /** Seconds between sampled frames (default 1). */
  everySeconds?: number;
  /** At most this many frames per video; a longer video is sampled evenly over its length (default 60). */
  maxFrames?: number;
  /** Longest side of the frames in pixels (default 1280). */
  maxSide?: number;
  /** Kills ffmpeg after this long (default 120 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface VideoInfo {
  /** Seconds; undefined when the container does not say. */
  duration?: number;
  /** QuickTime/Matroska creation time, ISO 8601 UTC. */
  createdAt?: string;
  /** The first video stream's size, upright (its rotation applied), as the sampled frames show it. */
  width?: number;
  height?: number;
}

export interface VideoFrame {
  /** Seconds from the start. */
  time: number;
  image: RgbImage;
}

let ffmpegPath: string | null | undefined;

/**
 * The ffmpeg binary: FACET_FFMPEG when set ('' or 'none' disables videos, for tests), else the npm package's;
 * null when there is none.
 */
export function findFfmpeg(): string | null {
  if (ffmpegPath !== undefined) return ffmpegPath;
  const override = process.env['FACET_FFMPEG'];
  if (override !== undefined) return (ffmpegPath = override === '' || override === 'none' ? null : override);
  try {
    ffmpegPath = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    ffmpegPath = null; // the optional dependency is not installed for this platform
  }
  return ffmpegPath;
}

export const NO_FFMPEG_REASON = 'videos are skipped: ffmpeg is not installed (the optional npm dependency @ffmpeg-installer/ffmpeg)';

/** Starts ffmpeg with a time limit and the abort signal; killed (SIGKILL) when either fires. */
export function spawnFfmpeg(binary: string, args: string[], options: { timeoutMs: number; signal?: AbortSignal }): ChildProcess {
  // Bound to this process like ExifTool (childGuard.ts): a killed scan leaves no ffmpeg decoding on.
  return endWithFacet(spawn(binary, ['-nostdin', '-hide_banner', ...args], {
    env: guardedEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs,
    killSignal: 'SIGKILL',
    signal: options.signal,
    windowsHide: true,
  }));
}

/** Duration and creation time, from ffmpeg's description of the input. */
export async function probeVideo(file: string, options: Pick<VideoSampling, 'timeoutMs' | 'signal'> = {}): Promise<VideoInfo> {
  const binary = requireFfmpeg(file);
  const { stderr } = await runFfmpeg(file, binary, ['-i', file], options, false);
  return parseFfmpegInfo(stderr);
}

/** ffmpeg prints "Duration: 00:01:02.50," and "creation_time   : 2020-05-17T09:30:00.000000Z". */
export function parseFfmpegInfo(stderr: string): VideoInfo {
  const duration = /Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  const created = /creation_time\s*:\s*(\S+)/.exec(stderr);
  const size = /Stream #[^\n]*?Video:[^\n]*?\b(\d{2,5})x(\d{2,5})\b/.exec(stderr);
  // Old builds print "rotate : 90" metadata, newer ones "displaymatrix: rotation of -90.00 degrees".
  const rotation = /rotate\s*:\s*(-?\d+)/.exec(stderr) ?? /rotation of (-?[\d.]+) degrees/.exec(stderr);
  const quarterTurn = rotation ? Math.round(Math.abs(Number(rotation[1])) / 90) % 2 === 1 : false;
  const [width, height] = size ? (quarterTurn ? [Number(size[2]), Number(size[1])] : [Number(size[1]), Number(size[2])]) : [];
  return {
    ...(width && height ? { width, height } : {}),
    ...(duration ? { duration: Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) } : {}),
    ...(parseQuickTimeDate(created?.[1]) ? { createdAt: parseQuickTimeDate(created?.[1])! } : {}),
  };
}

/** Samples frames evenly: every `everySeconds`, or `maxFrames` spread over the whole video when that is fewer. */
export async function sampleFrames(file: string, info: VideoInfo, options: VideoSampling = {}): Promise<VideoFrame[]> {
  const { everySeconds = 1, maxFrames = 60, maxSide = 1280 } = options;
  if (!(everySeconds > 0) || !(Number.isInteger(maxFrames) && maxFrames > 0) || !(Number.isInteger(maxSide) && maxSide > 0)) {
    throw new RangeError(`video sampling: everySeconds, maxFrames and maxSide must be positive, got ${everySeconds}, ${maxFrames}, ${maxSide}`);
  }
  const binary = requireFfmpeg(file);
  const interval = info.duration && info.duration / everySeconds > maxFrames ? info.duration / maxFrames : everySeconds;
  const scale = `scale=w='min(${maxSide},iw)':h='min(${maxSide},ih)':force_original_aspect_ratio=decrease`;
  const args = ['-loglevel', 'error', '-i', file, '-an', '-sn', '-vf', `fps=1/${interval},${scale}`, '-frames:v', String(maxFrames),
    '-f', 'image2pipe', '-vcodec', 'ppm', 'pipe:1'];
  const { stdout } = await runFfmpeg(file, binary, args, options, true);
  return parsePpmStream(file, stdout).map((image, k) => ({ time: k * interval, image }));
}

/** One frame at `seconds` (clamped to the start), upright, longest side at most maxSide: a poster or a face's frame. */
export async function frameAt(file: string, seconds: number, options: Pick<VideoSampling, 'maxSide' | 'timeoutMs' | 'signal'> = {}): Promise<RgbImage> {
  const maxSide = options.maxSide ?? 1280;
  if (!Number.isFinite(seconds)) throw new RangeError(`frameAt: seconds must be finite, got ${seconds}`);
  const binary = requireFfmpeg(file);
  const scale = `scale=w='min(${maxSide},iw)':h='min(${maxSide},ih)':force_original_aspect_ratio=decrease`;
  // -ss before -i seeks by the index (fast), then decodes to the exact time.
  const args = ['-loglevel', 'error', '-ss', String(Math.max(0, seconds)), '-i', file, '-an', '-sn', '-vf', scale, '-frames:v', '1',
    '-f', 'image2pipe', '-vcodec', 'ppm', 'pipe:1'];
  const { stdout } = await runFfmpeg(file, binary, args, options, true);
  const [image] = parsePpmStream(file, stdout);
  if (!image) throw new VideoError(file, 'corrupt', `${file} has no frame at ${seconds} s`);
  return image;
}

function requireFfmpeg(file: string): string {
  const binary = findFfmpeg();
  if (!binary) throw new VideoError(file, 'no-video-support', `${file}: ${NO_FFMPEG_REASON}`);
  return binary;
}

async function runFfmpeg(file: string, binary: string, args: string[], options: Pick<VideoSampling, 'timeoutMs' | 'signal'>, mustSucceed: boolean): Promise<{ stdout: Buffer; stderr: string }> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawnFfmpeg(binary, args, { timeoutMs, signal: options.signal });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new VideoError(file, options.signal?.aborted ? 'timeout' : 'corrupt', `${file}: ffmpeg could not run (${error.message})`, { cause: error })));
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (signal === 'SIGKILL') return reject(new VideoError(file, 'timeout', `${file}: ffmpeg was stopped after ${timeoutMs / 1000} s or by cancellation`));
      if (mustSucceed && code !== 0) {
        const detail = stderr.trim().split('\n').slice(-2).join(' ').replace(/\s+/g, ' ');
        return reject(new VideoError(file, 'corrupt', `${file} is not a video ffmpeg can read (${detail || `exit code ${code}`})`));
      }
      resolve({ stdout: Buffer.concat(out), stderr });
    });
  });
}

/** Concatenated binary PPMs ("P6 <w> <h> 255\n" + w*h*3 bytes each). */
export function parsePpmStream(file: string, stream: Buffer): RgbImage[] {
  const images: RgbImage[] = [];
  let at = 0;
  while (at < stream.length) {
    const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(stream.subarray(at, at + 64).toString('latin1'));
    if (!header || header[3] !== '255') throw new VideoError(file, 'corrupt', `${file}: ffmpeg's frame stream is not 8-bit PPM at byte ${at}`);
    const width = Number(header[1]), height = Number(header[2]);
    const start = at + header[0].length;
    const end = start + width * height * 3;
    if (end > stream.length) throw new VideoError(file, 'corrupt', `${file}: ffmpeg's frame stream ends inside a frame`);
    images.push({ data: new Uint8Array(stream.buffer, stream.byteOffset + start, width * height * 3), width, height });
    at = end;
  }
  return images;
}
