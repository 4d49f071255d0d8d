/**
 * The EPCIS routes in OpenAPI 3.1 terms, for the gateway's document (openapi.ts) to merge:
 * `paths` for every route of createEpcisRouter, and `schemas` — the project's own EPCIS 2.0
 * JSON Schemas (chaincode/epcis-schema.ts), the very ones capture validates with.
 *
 * @example
 * const epcis = epcisOpenApi();
 * doc.paths = { ...doc.paths, ...epcis.paths };
 * doc.components.schemas = { ...doc.components.schemas, ...epcis.schemas };
 */
import {
  EPCIS_DOCUMENT_SCHEMA,
  EPCIS_QUERY_DOCUMENT_SCHEMA,
  EPCIS_SCHEMA_IDS,
  EPCIS_SCHEMAS,
  EPCIS_STANDALONE_EVENT_SCHEMA,
} from '../chaincode/epcis-schema';
import { TOP_LEVEL_RESOURCES } from './epcis-resources';

const QUERY_PARAMETERS = [
  'eventType', 'GE_eventTime', 'LT_eventTime', 'GE_recordTime', 'LT_recordTime', 'EQ_bizStep', 'EQ_disposition',
  'EQ_readPoint', 'EQ_bizLocation', 'WD_readPoint', 'WD_bizLocation', 'MATCH_epc', 'MATCH_anyEPC', 'MATCH_parentID', 'MATCH_inputEPC', 'MATCH_outputEPC',
  'MATCH_epcClass', 'MATCH_inputEPCClass', 'MATCH_outputEPCClass', 'MATCH_anyEPCClass', 'EQ_eventID', 'EQ_action', 'EQ_transformationID',
  'EXISTS_errorDeclaration', 'EQ_errorReason', 'EQ_correctiveEventID', 'GE_errorDeclaration_Time', 'LT_errorDeclaration_Time', 'GE_errorDeclarationTime', 'LT_errorDeclarationTime',
  'EQ_persistentDisposition_set', 'EQ_persistentDisposition_unset', 'EQ_quantity', 'GT_quantity', 'GE_quantity', 'LT_quantity', 'LE_quantity',
  'EXISTS_sensorElementList', 'GE_time', 'LT_time', 'GE_startTime', 'LT_startTime', 'GE_endTime', 'LT_endTime', 'EQ_type', 'EQ_deviceID',
  'EQ_dataProcessingMethod', 'EQ_bizRules', 'EQ_microorganism', 'EQ_chemicalSubstance', 'EQ_stringValue', 'EQ_booleanValue', 'EQ_hexBinaryValue',
  'EQ_uriValue', 'GT_percRank', 'GE_percRank', 'LT_percRank', 'LE_percRank', 'eventCountLimit', 'maxEventCount', 'orderBy', 'orderDirection', 'perPage', 'nextPageToken',
];

/** The families whose names carry a type, which OpenAPI cannot list: said in the query's description. */
const TYPED_FAMILIES =
  'Also EQ_bizTransaction_{type}, EQ_source_{type} and EQ_destination_{type} (type: a CBV bare word such as po, desadv, ' +
  'owning_party, location, or a URI outside the CBV), each a list of identifiers; URN and Digital Link forms match alike. ' +
  'And {EQ,GT,GE,LT,LE}_quantity_{uom} (a quantity element in that UN/ECE unit) and {EQ,GT,GE,LT,LE}_{value,minValue,maxValue,meanValue,sDev,percValue}_{uom} ' +
  '(a sensor report in that unit, e.g. GT_maxValue_CEL=8); all sensor conditions of a query hold for one sensor report. ' +
  'Extension fields: {EQ,GT,GE,LT,LE,EXISTS}_[INNER_][ILMD_|ERROR_DECLARATION_|SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_]{prefix:field} and EQ_[INNER_]{readPoint,bizLocation}_{prefix:field}, ' +
  'the prefix declared in the GS1-Extensions header (prefix=namespace, …) or else read as each event\'s capture document declared it. ' +
  'Master data (captured in a document\'s epcisHeader): WD_readPoint / WD_bizLocation (the location or any descendant), HASATTR_{readPoint,bizLocation} (attribute names) ' +
  'and EQ_ATTR_{readPoint,bizLocation}_{attribute} (its values), by the declarations of the participant whose GLN the location carries (else the event recorder\'s own). Lists are separated by |.';

const ref = (name: string): Record<string, unknown> => ({ $ref: `#/components/schemas/${name}` });
const error = { description: 'An error from the catalogue.', content: { 'application/json': { schema: ref('Error') } } };
/** Both capture routes' 507 (heap-room.ts). */
const noRoom = { description: 'CAPTURE_NO_ROOM: the gateway keeps every event in memory and its heap live after a full garbage collection has reached CAPTURE_HEAP_LIMIT_MB; nothing recorded.' };
const security = [{ apiKey: [] }];
const json = (schema: Record<string, unknown>): Record<string, unknown> => ({ 'application/ld+json': { schema }, 'application/json': { schema } });
/** A capture body in either binding: JSON-LD/JSON as `schema` says, or the XML binding (gateway-api/epcis-xml.ts). */
const jsonOrXml = (schema: Record<string, unknown>, xml: string): Record<string, unknown> => ({ ...json(schema), 'application/xml': { schema: { type: 'string', description: xml } } });
const pathParam = (name: string): Record<string, unknown> => ({ name, in: 'path', required: true, schema: { type: 'string' } });
/** How XML answers and deliveries write CBV values (epcis-xml-write.ts's cbvXmlFormatOf). */
const cbvXmlFormat = {
  name: 'GS1-CBV-XML-Format',
  in: 'header',
  description: 'In XML only: Always_URN or Always_Web_URI write every CBV value in that form; No_Preference and Never_Translates (the default) write a bare word as its URN and a URI as captured. The answer names the form it used.',
  schema: { type: 'string', enum: ['No_Preference', 'Always_Web_URI', 'Always_URN', 'Never_Translates'] },
};

/** How answers write EPCs (epcis-query.ts's epcFormatOf). */
const epcFormat = {
  name: 'GS1-EPC-Format',
  in: 'header',
  description: 'Always_GS1_Digital_Link (the default, also No_Preference): EPCs, classes, places and parties as canonical GS1 Digital Links; Never_Translates: as captured; Always_EPC_URN: as EPC URNs, split by GS1\'s company prefix table (EPCIS_GCP_TABLE) or the company prefixes of identifiers captured as URNs; 406 naming an identifier whose company prefix length is known from neither. The answer names the form it used.',
  schema: { type: 'string', enum: ['No_Preference', 'Always_GS1_Digital_Link', 'Always_EPC_URN', 'Never_Translates'] },
};

const queryParams = [...QUERY_PARAMETERS.map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })), cbvXmlFormat, epcFormat];
/** A capture job: JSON, or the XML binding's EPCISCaptureJob (gateway-api/epcis-xml-write.ts). */
const captureJob = {
  'application/json': { schema: { type: 'object', required: ['captureID', 'running', 'success', 'captureErrorBehaviour', 'createdAt', 'errors'] } },
  'application/xml': { schema: { type: 'string', description: 'EPCISCaptureJob (urn:epcglobal:epcis:xsd:2); counts and project error codes in the zfc: namespace.' } },
};
/** The headers of every paged answer: the next page, and when its token expires (a day on; a token past it is refused, 400). */
const pageHeaders = {
  Link: { description: 'The next page, `<…>; rel="next"`, while there is one.', schema: { type: 'string' } },
  'GS1-Next-Page-Token-Expires': { description: 'When the next page\'s nextPageToken expires (RFC 3339, UTC).', schema: { type: 'string', format: 'date-time' } },
};
const answer = {
  '200': {
    description: 'An EPCISQueryDocument; `Link: <…>; rel="next"` when there is a next page, and `GS1-Next-Page-Token-Expires` when its token expires (a day on; a token past it is refused, 400). In the XML binding when Accept prefers application/xml or text/xml.',
    headers: pageHeaders,
    content: { ...json(ref('EPCISQueryDocument')), 'application/xml': { schema: { type: 'string', description: 'The EPCISQueryDocument of the XML binding (urn:epcglobal:epcis-query:xsd:2).' } } },
  },
  default: error,
};

const collection = { '200': { description: 'A JSON-LD `Collection` (`member`).', content: json({ type: 'object', required: ['type', 'member'], properties: { type: { const: 'Collection' }, member: { type: 'array', items: { type: 'string' } } } }) }, default: error };
/** A paged collection (the identifiers of a top-level resource), with its page headers. */
const pagedCollection = { ...collection, '200': { ...collection['200'], description: 'A JSON-LD `Collection` (`member`), paged: `Link` rel="next" and `GS1-Next-Page-Token-Expires` while there is a next page.', headers: pageHeaders } };
const pageParams = [{ name: 'perPage', in: 'query', schema: { type: 'string' } }, { name: 'nextPageToken', in: 'query', schema: { type: 'string' } }];
/** The paths of the EPCIS 2.0 top-level resources (epcis-resources.ts); `/epcis/epcs/{epc}/events` is documented with the router's own. */
function topLevelPaths(): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { name, segment, summary, paged } of TOP_LEVEL_RESOURCES) {
    paths[`/epcis/${name}`] = { get: { operationId: `epcis_${name}`, summary, security, ...(paged ? { parameters: pageParams } : {}), responses: paged ? pagedCollection : collection } };
    paths[`/epcis/${name}/{${segment}}`] = { get: { operationId: `epcis_${name}_one`, summary: `The sub-resources of one ${segment} (\`events\`).`, security, parameters: [pathParam(segment)], responses: collection } };
    if (name !== 'epcs') {
      paths[`/epcis/${name}/{${segment}}/events`] = { get: { operationId: `epcis_${name}_events`, summary: `The events of one ${segment}, narrowed by any other query parameter.`, security, parameters: [pathParam(segment), ...queryParams], responses: answer } };
    }
  }
  return paths;
}

/** OpenAPI paths of every EPCIS route. */
export const EPCIS_OPENAPI_PATHS: Readonly<Record<string, Record<string, unknown>>> = {
  '/epcis': { get: { operationId: 'epcisResources', summary: 'The resources this repository serves: capture, events, the top-level resources, queries.', security, responses: collection } },
  ...topLevelPaths(),
  '/epcis/capture': {
    post: {
      operationId: 'epcisCapture',
      summary: 'Capture an EPCISDocument (its header\'s master data too: vocabulary elements recorded as the capturer\'s declarations), or the events of an EPCISQueryDocument (another repository\'s answer; at most 10,000 events), all or nothing (or, with GS1-Capture-Error-Behaviour: proceed, every event the rules accept, the job naming each refused one); 202 with a capture job.',
      security,
      parameters: [{ name: 'GS1-Capture-Error-Behaviour', in: 'header', required: false, schema: { enum: ['rollback', 'proceed'] } }],
      requestBody: { required: true, content: jsonOrXml(ref('EPCISDocument'), 'An EPCISDocument (or EPCISQueryDocument, or EPCISMasterDataDocument: its vocabularies captured as header master data) of the XML binding, EPCIS 2.0 or 1.x, UTF-8; read into the JSON binding (1.x extension wrappers unwrapped, CBV URNs as bare words) and captured as that JSON document.') },
      responses: { '202': { description: 'The capture job (Location: /epcis/capture/{captureID}); jobs run in turns, two at once, the others waiting. As the XML binding\'s EPCISCaptureJob when Accept prefers application/xml.', content: captureJob }, '413': error, '503': { description: 'CAPTURE_BUSY: the documents waiting their turn hold as much as the gateway keeps (CAPTURE_PENDING_BYTES, a participant half of it); nothing recorded; Retry-After says when to send again.' }, '507': noRoom, default: error },
    },
    get: { operationId: 'epcisCaptureJobs', summary: 'The caller\'s own capture jobs that are still kept (the last 10,000 of all), newest first, as a JSON array of jobs; paged with perPage and nextPageToken (`Link` rel="next", and `GS1-Next-Page-Token-Expires`).', security, parameters: pageParams, responses: { '200': { description: 'The jobs.', headers: pageHeaders }, '406': { description: 'NOT_ACCEPTABLE: the request\'s Accept takes no JSON (the list has no XML form; each job has, at /epcis/capture/{captureID}).' }, default: error } },
  },
  '/epcis/capture/{captureID}': {
    get: { operationId: 'epcisCaptureJob', summary: 'A capture job: running, success, and each rejected event and why.', security, parameters: [pathParam('captureID')], responses: { '200': { description: 'The job; as the XML binding\'s EPCISCaptureJob when Accept prefers application/xml.', content: captureJob }, default: error } },
  },
  '/epcis/events': {
    get: { operationId: 'epcisQuery', summary: 'Events matching the standard\'s query parameters, paged.', description: TYPED_FAMILIES, security, parameters: queryParams, responses: answer },
    post: {
      operationId: 'epcisCaptureEvent',
      summary: 'Capture one event (JSON-LD, with @context, or XML); 201 with its Location, 200 if already recorded.',
      security,
      requestBody: { required: true, content: jsonOrXml(ref('EPCISEvent'), 'One event of the XML binding: an event element (ObjectEvent, …) on its own, or an EPCISDocument holding exactly one.') },
      responses: { '201': { description: 'Captured.' }, '200': { description: 'Already recorded.' }, '507': noRoom, default: error },
    },
  },
  '/epcis/events/{eventID}': {
    get: { operationId: 'epcisEvent', summary: 'One event by eventID.', security, parameters: [pathParam('eventID'), cbvXmlFormat], responses: answer },
  },
  '/epcis/epcs/{epc}/events': {
    get: { operationId: 'epcisEventsOfEpc', summary: 'Events naming an identifier (EPC URN or Digital Link) in any role.', security, parameters: [pathParam('epc'), ...queryParams], responses: answer },
  },
  '/epcis/nextPageToken/{token}': {
    delete: { operationId: 'epcisReleasePageToken', summary: 'The binding\'s optional release of a page token\'s resources: 501, since a token here is a sealed position that holds nothing on the server (it stays usable).', security, parameters: [pathParam('token')], responses: { '501': { description: 'NOT_IMPLEMENTED: nothing to release.' }, default: error } },
  },
  '/epcis/queries': {
    get: { operationId: 'epcisNamedQueries', summary: 'Every named query, by name, as `[{ name, query, createdAt }]`, paged (`Link` rel="next", and `GS1-Next-Page-Token-Expires`).', security, parameters: pageParams, responses: { '200': { description: 'The named queries.', headers: pageHeaders }, default: error } },
    post: { operationId: 'epcisDefineQuery', summary: 'Define a named query: `{ name, query: { <query parameters> } }`.', security, responses: { '201': { description: 'Defined.' }, default: error } },
  },
  '/epcis/queries/{name}': {
    get: { operationId: 'epcisNamedQuery', summary: 'A named query.', security, parameters: [pathParam('name')], responses: { '200': { description: 'The query.' }, default: error } },
    delete: { operationId: 'epcisRemoveQuery', summary: 'Remove a named query and every subscription to it (its owner only).', security, parameters: [pathParam('name')], responses: { '204': { description: 'Removed.' }, default: error } },
  },
  '/epcis/queries/{name}/events': {
    get: {
      operationId: 'epcisNamedQueryEvents',
      summary: 'The events of a named query, paged. With Upgrade: websocket, a subscription over the connection: stream=true, or a schedule (second, minute, hour, dayOfMonth, month, dayOfWeek; reportIfEmpty), and initialRecordTime, as query parameters; each delivery is one EPCISQueryDocument message (in the XML binding when the handshake\'s Accept prefers application/xml or text/xml, its CBV values as GS1-CBV-XML-Format asks); the connection closes 1000 when the query is removed, 1001 when the gateway stops, 1013 when the subscriber reads too slowly.',
      security,
      parameters: [pathParam('name'), ...['perPage', 'nextPageToken', 'stream', 'initialRecordTime', 'reportIfEmpty', 'second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })), cbvXmlFormat, epcFormat],
      responses: { ...answer, '101': { description: 'Switching to a WebSocket subscription (Upgrade: websocket).' } },
    },
  },
  '/epcis/queries/{name}/subscriptions': {
    post: {
      operationId: 'epcisSubscribe',
      summary:
        'Subscribe `{ dest, signatureToken, stream: true }` (each new matching event is POSTed to dest as it is recorded) or `{ dest, signatureToken, schedule: { second, minute, hour, dayOfMonth, month, dayOfWeek }, reportIfEmpty }` (at each matching UTC second, what matched since the last report), optionally from `initialRecordTime` (events already recorded since then first), and with `"zfc:heldBySubscriber": true` only events naming a lot the subscriber holds. Deliveries are EPCISQueryDocuments signed `GS1-Signature: sha256=<HMAC-SHA256 of the body>`: JSON-LD, or the XML binding\'s when this request\'s Accept prefers application/xml or text/xml (its CBV values as GS1-CBV-XML-Format asks; the subscription shows it as `zfc:deliveryFormat`), their EPCs as this request\'s GS1-EPC-Format asks (shown as `zfc:epcFormat`; in EPC URN form an identifier of unknown company prefix length stays a Digital Link, and that delivery\'s GS1-EPC-Format header says No_Preference). This answer itself is JSON, the binding\'s one form for it.',
      security,
      parameters: [pathParam('name'), cbvXmlFormat, epcFormat],
      responses: { '201': { description: 'The subscription.' }, default: error },
    },
    get: { operationId: 'epcisSubscriptions', summary: 'The caller\'s subscriptions to a named query, with delivery counts and last delivery.', security, parameters: [pathParam('name')], responses: { '200': { description: '`{ subscriptions }`.' }, default: error } },
  },
  '/epcis/queries/{name}/subscriptions/{id}': {
    get: { operationId: 'epcisSubscription', summary: 'A subscription (its owner only): delivery counts and last delivery, kept across restarts.', security, parameters: [pathParam('name'), pathParam('id')], responses: { '200': { description: 'The subscription.' }, default: error } },
    delete: { operationId: 'epcisUnsubscribe', summary: 'End a subscription (its owner only).', security, parameters: [pathParam('name'), pathParam('id')], responses: { '204': { description: 'Ended.' }, default: error } },
  },
};

/**
 * The OpenAPI paths and component schemas of the EPCIS routes. The project's EPCIS schemas are
 * included by `$id`, each under its own name, so their references between each other resolve.
 */
export function epcisOpenApi(): { paths: Readonly<Record<string, Record<string, unknown>>>; schemas: Record<string, unknown> } {
  const schemas: Record<string, unknown> = {
    EPCISDocument: EPCIS_DOCUMENT_SCHEMA,
    EPCISQueryDocument: EPCIS_QUERY_DOCUMENT_SCHEMA,
    EPCISEvent: EPCIS_STANDALONE_EVENT_SCHEMA,
  };
  const named = new Set<unknown>(Object.values(schemas));
  for (const s of EPCIS_SCHEMAS) {
    if (named.has(s)) continue;
    const id = (s as { $id: string }).$id;
    const name = `EPCIS_${(Object.entries(EPCIS_SCHEMA_IDS).find(([, v]) => v === id)?.[0] ?? id)}`;
    schemas[name] = s;
  }
  return { paths: withDiscovery(EPCIS_OPENAPI_PATHS), schemas };
}

/** Every path with the REST binding's discovery: OPTIONS, answering 204 with `Allow` and the versions spoken. */
function withDiscovery(paths: Readonly<Record<string, Record<string, unknown>>>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [path, ops] of Object.entries(paths)) {
    const name = path.replace(/[{}]/g, '').split('/').filter(Boolean).map((s) => s[0]?.toUpperCase() + s.slice(1)).join('');
    const params = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => pathParam(m[1] as string));
    out[path] = {
      ...ops,
      options: { operationId: `discover${name}`, summary: 'Discovery: 204 with Allow, the EPCIS and CBV versions spoken, and at /epcis/capture GS1-EPCIS-Capture-Limit and GS1-EPCIS-Capture-File-Size-Limit.', security, parameters: params, responses: { '204': { description: 'What the resource allows.' }, default: error } },
    };
  }
  return out;
}
