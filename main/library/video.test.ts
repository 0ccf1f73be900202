import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { displayJpeg } from './display.ts';
import { findFfmpeg, frameAt, isVideoPath, parseFfmpegInfo, parsePpmStream, probeVideo, sampleFrames, VideoError } from './video.ts';

describe('video helpers', () => {
  it('knows video extensions in any case', () => {
    for (const ext of ['mp4', 'MOV', 'm4v', '3gp', 'MKV']) assert.ok(isVideoPath(`/v/clip.${ext}`), ext);
    assert.ok(!isVideoPath('/v/clip.jpg'));
  });

  it('reads duration, creation time and the upright size from ffmpeg\'s description', () => {
    const text = `  Metadata:\n    creation_time   : 2020-05-17T09:30:00.000000Z\n  Duration: 00:01:02.50, start: 0.000000\n`
      + `    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1920x1080 [SAR 1:1 DAR 16:9], 25 fps\n    Metadata:\n      rotate          : 90\n`;
    assert.deepEqual(parseFfmpegInfo(text), { width: 1080, height: 1920, duration: 62.5, createdAt: '2020-05-17T09:30:00Z' });
    assert.deepEqual(parseFfmpegInfo('nothing useful'), {});
  });

  it('splits a PPM stream into frames and names the file when it is cut short', () => {
    const frame = (w: number, h: number, v: number) => Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), Buffer.alloc(w * h * 3, v)]);
    const images = parsePpmStream('/v/a.mp4', Buffer.concat([frame(2, 1, 7), frame(1, 3, 9)]));
    assert.deepEqual(images.map((i) => [i.width, i.height, i.data[0]]), [[2, 1, 7], [1, 3, 9]]);
    assert.throws(() => parsePpmStream('/v/a.mp4', frame(4, 4, 1).subarray(0, 30)), (e: unknown) => e instanceof VideoError && e.message.includes('/v/a.mp4'));
  });
});

describe('sampling a real video with ffmpeg', () => {
  let dir: string;
  let clip: string;
  const ffmpeg = findFfmpeg();
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-video-'));
    clip = path.join(dir, 'test.mp4');
    if (!ffmpeg) return;
    // 5 s of ffmpeg's test pattern, 320x240, with a creation time.
    await promisify(execFile)(ffmpeg, ['-nostdin', '-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '5',
      '-metadata', 'creation_time=2021-08-09T10:11:12Z', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip], { timeout: 120_000 });
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('probes and samples one frame per second, or maxFrames spread over the video', async (t) => {
    if (!ffmpeg) return t.skip('ffmpeg (@ffmpeg-installer/ffmpeg) is not installed');
    const info = await probeVideo(clip);
    assert.deepEqual([info.width, info.height, info.createdAt], [320, 240, '2021-08-09T10:11:12Z']);
    assert.ok(Math.abs(info.duration! - 5) < 0.1);
    const frames = await sampleFrames(clip, info);
    assert.deepEqual(frames.map((f) => f.time), [0, 1, 2, 3, 4]);
    assert.deepEqual([frames[0]!.image.width, frames[0]!.image.height], [320, 240]);
    const few = await sampleFrames(clip, info, { maxFrames: 2, maxSide: 160 });
    assert.deepEqual(few.map((f) => f.time), [0, 2.5]);
    assert.deepEqual([few[0]!.image.width, few[0]!.image.height], [160, 120]);
  });

  it('takes one frame at a time, and a poster JPEG for display', async (t) => {
    if (!ffmpeg) return t.skip('ffmpeg (@ffmpeg-installer/ffmpeg) is not installed');
    const frame = await frameAt(clip, 2.5, { maxSide: 200 });
    assert.deepEqual([frame.width, frame.height], [200, 150]);
    const meta = await sharp(await displayJpeg(clip, { timeSeconds: 1 })).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 320, 240]);
    // testsrc draws a running counter: frames 1 s apart differ.
    const a = await frameAt(clip, 1), b = await frameAt(clip, 3);
    assert.notDeepEqual(Buffer.from(a.data), Buffer.from(b.data));
  });

  it('a damaged video and an aborted sampling are errors naming the file', async (t) => {
    if (!ffmpeg) return t.skip('ffmpeg (@ffmpeg-installer/ffmpeg) is not installed');
    const broken = path.join(dir, 'broken.mov');
    await fs.writeFile(broken, 'not a movie');
    await assert.rejects(sampleFrames(broken, {}), (e: unknown) => e instanceof VideoError && e.reason === 'corrupt' && e.message.includes(broken));
    const controller = new AbortController();
    const sampling = sampleFrames(clip, {}, { signal: controller.signal });
    controller.abort();
    await assert.rejects(sampling, (e: unknown) => e instanceof VideoError && e.message.includes(clip));
  });
});

describe('without ffmpeg', () => {
  it('a video is refused with the reason, naming the file (FACET_FFMPEG=none stands for a missing package)', async () => {
    const script = `import { probeVideo } from ${JSON.stringify(new URL('./video.ts', import.meta.url).href)};
      probeVideo('/v/holiday.mp4').then(() => console.log('ran'), (e) => console.log(JSON.stringify({ reason: e.reason, message: e.message })));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script],
      { env: { ...process.env, FACET_FFMPEG: 'none' }, timeout: 60_000 });
    const result = JSON.parse(stdout.trim()) as { reason: string; message: string };
    assert.equal(result.reason, 'no-video-support');
    assert.match(result.message, /^\/v\/holiday\.mp4: videos are skipped: ffmpeg is not installed/);
  });
});

describe('when Facet dies', () => {
  it('ffmpeg does not outlive it: its next frame meets a closed pipe (Linux)', { skip: process.platform !== 'linux' }, async (t) => {
    const ffmpeg = findFfmpeg();
    if (!ffmpeg) return t.skip('ffmpeg (@ffmpeg-installer/ffmpeg) is not installed');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-video-kill-'));
    const clip = path.join(dir, 'clip.mkv');
    await promisify(execFile)(ffmpeg, ['-nostdin', '-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '20',
      '-c:v', 'libx264', '-preset', 'ultrafast', clip], { timeout: 120_000 });
    const bytes = await fs.readFile(clip);
    // The video arrives through a named pipe: half now, a quarter after the parent died, the rest never. So ffmpeg
    // has frames to write then and cannot finish on its own (a slow drive does the same).
    const stream = path.join(dir, 'stream.mkv');
    await promisify(execFile)('mkfifo', [stream]);
    const feed = createWriteStream(stream);
    feed.on('error', () => {}); // EPIPE once ffmpeg is gone
    let ffmpegPid: number | undefined;
    t.after(async () => {
      feed.destroy();
      if (ffmpegPid && (await isRunning(ffmpegPid))) process.kill(ffmpegPid, 'SIGKILL');
      await fs.rm(dir, { recursive: true, force: true });
    });
    const script = `import { sampleFrames } from ${JSON.stringify(new URL('./video.ts', import.meta.url).href)};
      console.log('started'); await sampleFrames(${JSON.stringify(stream)}, {}, { everySeconds: 0.04, maxFrames: 3000 });`;
    const node = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => node.stdout.once('data', () => resolve()));
    for (let i = 0; i < 100 && ffmpegPid === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ffmpegPid = await childNamed(node.pid!, 'ffmpeg'); // not tsx's esbuild service, also a child
    }
    assert.ok(ffmpegPid, 'ffmpeg started');
    feed.write(bytes.subarray(0, bytes.length >> 1));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    node.kill('SIGKILL');
    await new Promise((resolve) => node.once('exit', resolve));
    feed.write(bytes.subarray(bytes.length >> 1, (bytes.length * 3) >> 2)); // more frames, but not the end of the file
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      alive = await isRunning(ffmpegPid);
    }
    assert.equal(alive, false, `ffmpeg ${ffmpegPid} still runs 5 s after its parent was killed`);
  });
});

/** The child of `pid` whose program's name ends in `name`, from /proc (Linux). */
async function childNamed(pid: number, name: string): Promise<number | undefined> {
  const tasks = await fs.readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  for (const task of tasks) {
    const children = await fs.readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    for (const child of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
      const program = (await fs.readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '')).split('\0')[0] ?? '';
      if (path.basename(program) === name) return child;
    }
  }
  return undefined;
}

/** A zombie (exited, not yet reaped) counts as ended. */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}
