import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { findFfmpeg, isVideoPath, parseFfmpegInfo, parsePpmStream, probeVideo, sampleFrames, VideoError } from './video.ts';

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
