import { expect, test } from 'vitest';
import { SettingsState } from './settings.svelte.ts';
import { seededApp } from './testing.ts';

test('the preview follows the slider; recluster saves the threshold; forgetting needs the word', async () => {
  const { app, store } = await seededApp({ cluster: false });
  const settings = new SettingsState(app, 1);
  await settings.load();
  expect(settings.info?.embedder).toBe('dlib-resnet');
  void settings.setThreshold(3.5);
  await settings.setThreshold(0.5);
  expect(settings.preview?.clusters).toBe(3);
  await settings.save({ minClusterSize: 2 });
  expect(await settings.recluster()).toBe(true);
  expect(store.settings.get('clusterThreshold')).toBe(0.5);
  expect(app.message?.text).toMatch(/3 groups found among 12 faces/);
  expect(await settings.forgetAll('yes')).toBe(false);
  expect(store.persons.list().length + store.faces.list().length).toBe(12);
  expect(await settings.forgetAll('forget')).toBe(true);
  expect(store.faces.list()).toEqual([]);
  expect(settings.preview).toEqual({ clusters: 0, faces: 0, unclustered: 0 });
});

test('a reload after another setting changed keeps the slider where the user left it until it is saved', async () => {
  const { app } = await seededApp();
  const settings = new SettingsState(app, 0);
  await settings.load();
  await settings.setThreshold(0.3);
  await settings.save({ minClusterSize: 2 });
  await settings.load();
  expect(settings.threshold).toBe(0.3);
  expect(await settings.recluster()).toBe(true);
  await settings.load();
  expect(settings.info?.threshold).toBe(0.3);
});

test('a list or field that saves as it changes says it was saved and when it takes effect', async () => {
  const { app } = await seededApp();
  const settings = new SettingsState(app, 0);
  await settings.load();
  await settings.save({ precision: 'int8' });
  expect(app.message?.text).toBe('Saved: the next scan uses it.');
  await settings.save({ embedder: 'mobileface' });
  expect(app.message?.text).toBe('Saved: the embedder is mobileface; the next scan embeds every face with it.');
  await settings.save({ embedder: 'dlib-resnet' });
  expect(app.message?.text).toBe('Saved: the embedder is dlib-resnet.'); // every face has its vectors already
});
