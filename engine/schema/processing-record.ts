/**
 * `ProcessingRecord`: what the Art. 30 record of processing needs and policies cannot say — the
 * controller, the DPO, the processors (with their data processing agreements), transfers outside
 * the EEA and their safeguards, categories of data subjects and security measures. `lethe ropa`
 * joins it with the policies (purposes, retention, erasure, masking, recipients).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Document, SystemName } from './common.ts';

const Text = (description: string) => Type.String({ minLength: 1, description });

const Party = (description: string) =>
  Type.Object(
    {
      name: Text('Name.'),
      contact: Text('How to reach them (address, desk, e-mail of a role mailbox).'),
    },
    { additionalProperties: false, description },
  );

const Transfer = Type.Object(
  {
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'Destination country, ISO 3166-1 alpha-2.' }),
    safeguard: Text('Art. 46 safeguard or Art. 45 adequacy decision, e.g. "SCCs (2021/914) Module 3" or "EU-US DPF adequacy".'),
  },
  { additionalProperties: false },
);

const Processor = Type.Object(
  {
    name: Text('The processor, e.g. Genesys Cloud Services, Inc.'),
    system: SystemName,
    dpa: Text('Reference of the data processing agreement (Art. 28(3)).'),
    location: Text('Where the data is processed (region).'),
    transfers: Type.Optional(Type.Array(Transfer, { description: 'Transfers to third countries by this processor (sub-processors, support).' })),
  },
  { additionalProperties: false },
);

export const ProcessingRecordSpec = Type.Object(
  {
    controller: Type.Object(
      {
        name: Text('The controller (legal entity).'),
        address: Text('Postal address.'),
        contact: Text('Contact of the controller.'),
        representative: Type.Optional(Party('Art. 27 representative in the EU, when the controller is outside it.')),
      },
      { additionalProperties: false, description: 'Art. 30(1)(a): name and contact details of the controller.' },
    ),
    dpo: Party('Art. 30(1)(a): the data protection officer.'),
    processors: Type.Array(Processor, { minItems: 1, description: 'Processors per system (Art. 30(1)(d) recipients, Art. 28).' }),
    subjects: Type.Array(Text('A category of data subjects.'), { minItems: 1, description: 'Art. 30(1)(c): categories of data subjects, e.g. customers, prospects.' }),
    security: Type.Array(Text('A measure.'), { minItems: 1, description: 'Art. 30(1)(g): technical and organisational security measures.' }),
  },
  { additionalProperties: false, description: 'Controller facts for the record of processing.' },
);

export const ProcessingRecord = Document('ProcessingRecord', ProcessingRecordSpec, 'Controller, DPO, processors with DPA references, transfers and safeguards: what the Art. 30 record of processing takes from outside the policies (`lethe ropa`).');
export type ProcessingRecord = Static<typeof ProcessingRecord>;

