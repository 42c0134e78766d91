import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001Sites } from './Migration0001Sites.js';
import { Migration0002Tokens } from './Migration0002Tokens.js';
import { Migration0003Deliveries } from './Migration0003Deliveries.js';
import { Migration0004LeanerDeliveryWrites } from './Migration0004LeanerDeliveryWrites.js';
import { Migration0005AttemptCascadeByIndex } from './Migration0005AttemptCascadeByIndex.js';
import { Migration0006AuditEvents } from './Migration0006AuditEvents.js';
import { Migration0007TraceParent } from './Migration0007TraceParent.js';
import { Migration0009StaticHeaders } from './Migration0009StaticHeaders.js';
import { Migration0010PayloadSigning } from './Migration0010PayloadSigning.js';
import { Migration0011AuditDetails } from './Migration0011AuditDetails.js';
import { Migration0012ClientCertificates } from './Migration0012ClientCertificates.js';
import { Migration0013CircuitBreaker } from './Migration0013CircuitBreaker.js';
import { Migration0014DeliveryBody } from './Migration0014DeliveryBody.js';

/** Every migration, in order. Listed here rather than globbed so they run the same under tsx, vitest and node. */
// Applied in this order, each once (by name). 0008 was reserved during parallel work and never used:
// the gap is harmless, and the next migration is 0012, appended at the end.
export const migrationsList: MigrationObject[] = [
  { name: 'Migration0001Sites', class: Migration0001Sites },
  { name: 'Migration0002Tokens', class: Migration0002Tokens },
  { name: 'Migration0003Deliveries', class: Migration0003Deliveries },
  { name: 'Migration0004LeanerDeliveryWrites', class: Migration0004LeanerDeliveryWrites },
  { name: 'Migration0005AttemptCascadeByIndex', class: Migration0005AttemptCascadeByIndex },
  { name: 'Migration0006AuditEvents', class: Migration0006AuditEvents },
  { name: 'Migration0007TraceParent', class: Migration0007TraceParent },
  { name: 'Migration0009StaticHeaders', class: Migration0009StaticHeaders },
  { name: 'Migration0010PayloadSigning', class: Migration0010PayloadSigning },
  { name: 'Migration0011AuditDetails', class: Migration0011AuditDetails },
  { name: 'Migration0012ClientCertificates', class: Migration0012ClientCertificates },
  { name: 'Migration0013CircuitBreaker', class: Migration0013CircuitBreaker },
  { name: 'Migration0014DeliveryBody', class: Migration0014DeliveryBody },
];
