/** Every CLI command, each registering itself on the program. Add new commands here. */
import type { Command } from 'commander';
import { register as apply } from './apply.ts';
import { register as audit } from './audit.ts';
import { register as certificate } from './certificate.ts';
import { register as ci } from './ci.ts';
import { register as demo } from './demo.ts';
import { register as diff } from './diff.ts';
import { register as dsr } from './dsr.ts';
import { register as forecast } from './forecast.ts';
import { register as gate } from './gate.ts';
import { register as generate } from './generate.ts';
import { register as holds } from './holds.ts';
import { register as plan } from './plan.ts';
import { register as mask } from './mask.ts';
import { register as policies } from './policies.ts';
import { register as report } from './report.ts';
import { register as sandbox } from './sandbox.ts';
import { register as serve } from './serve.ts';
import { register as schedule } from './schedule.ts';
import { register as schemas } from './schemas.ts';
import { register as snapshot } from './snapshot.ts';
import { register as policyTest } from './test.ts';
import { register as validate } from './validate.ts';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [demo, sandbox, validate, policies, schemas, generate, snapshot, plan, diff, apply, holds, dsr, ci, report, forecast, policyTest, gate, mask, audit, certificate, schedule, serve];
