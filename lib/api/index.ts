/**
 * Every /api/v1 route, one line each: the OpenAPI document (/api/v1/openapi.json), the /api-docs
 * page and the authorisation-matrix test (tests/integration/authz-matrix.test.ts) are generated
 * from this list. Add a route here when you add its route.ts.
 */
import type { RouteSpec } from '@/lib/http/openapi';
import * as auth from './auth';
import * as datasets from './datasets';
import * as groundTruth from './ground-truth';
import * as models from './models';
import * as runs from './runs';
import * as studies from './studies';
import * as sessions from './sessions';
import * as tokens from './tokens';

export const API_ROUTES: readonly RouteSpec[] = [
  auth.signUp,
  auth.signIn,
  auth.signOut,
  auth.session,
  tokens.listTokens,
  tokens.createToken,
  tokens.revokeToken,
  datasets.listDatasets,
  datasets.createDataset,
  datasets.getDataset,
  datasets.updateDataset,
  datasets.deleteDataset,
  datasets.listImages,
  datasets.uploadImages,
  datasets.updateImage,
  datasets.imageFile,
  datasets.imageDensity,
  datasets.imageFixations,
  groundTruth.fixationsFile,
  groundTruth.groundTruthState,
  groundTruth.importGroundTruth,
  groundTruth.leaderboard,
  groundTruth.densityFile,
  models.stageModel,
  models.predictStaged,
  models.createModel,
  models.listModels,
  models.getModel,
  models.updateModel,
  models.deleteModel,
  models.modelFile,
  runs.createRun,
  runs.getRun,
  runs.runImages,
  studies.createStudy,
  studies.listStudies,
  studies.getStudy,
  studies.updateStudy,
  studies.studyProgress,
  studies.listStudySessions,
  studies.reviewSession,
  runs.uploadMaps,
  runs.mapFile,
  runs.scoresFile,
  sessions.publicStudy,
  sessions.startSession,
  sessions.sessionState,
  sessions.withdrawSession,
  sessions.saveGeometry,
  sessions.switchModality,
  sessions.recordValidation,
  sessions.postSamples,
  sessions.completeSession,
  sessions.startTrial,
  sessions.completeTrial,
  sessions.trialImage,
];
