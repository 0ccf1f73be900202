/**
 * The simulated user of `facet eval journey` on a small real library (10 LFW people, 25 strangers): the loop of
 * naming, answering the review queue and rejecting reaches BCubed F 0.99 on the known people, every action
 * counted, with fine-tuning off and on. The full run on all of LFW is `facet eval journey` (README).
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { runJourney } from '../../main/eval/journeyEval.ts';
import { chooseLfwImages, embedLfwFaces } from '../fixtures/lfwLibrary.ts';
import { LFW_DIR, LFW_SKIP } from './lfwData.ts';

test('a simulated user reaches BCubed F 0.99 on the people they know, one action at a time', { skip: LFW_SKIP }, async () => {
  const faces = await embedLfwFaces(chooseLfwImages(LFW_DIR, { people: 10, minImages: 14, perPerson: 13, strangers: 25 }));
  const report = runJourney({ faces, budget: 400 });
  assert.equal(report.faces, 155);
  assert.equal(report.people, 10);
  assert.equal(report.strangers, 25);
  const { curve } = report.runs.plain;
  assert.ok(curve[0]! < 0.2, `before any action nobody is named: F ${curve[0]}`);
  assert.ok(report.actionsTo099 !== null && report.actionsTo099 <= 60, `F 0.99 after ${report.actionsTo099} actions`);
  // Each action is one step of the curve, and naming the big groups comes first: the curve rises fastest early.
  assert.ok(curve[10]! - curve[0]! > curve.at(-1)! - curve[10]!);
  assert.ok(report.questionsYes <= report.questionsAsked);
  assert.ok(report.withFinetune !== null && report.withFinetune.actionsTo099 !== null);
  assert.ok(report.calibration.some((row) => row.otherAsked > 0), 'the band calibration saw questions');
});
