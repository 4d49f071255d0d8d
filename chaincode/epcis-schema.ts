/**
 * The project's own JSON Schema (draft-07) for EPCIS 2.0 documents and events, written from the
 * standard (EPCIS 2.0 §7 event types and fields, §9 JSON/JSON-LD binding; CBV 2.0 vocabularies),
 * not copied from GS1's schema file. It is stricter than GS1's where the standard allows it
 * (bounded lengths and counts, well-formed EPC URNs, only the five standard event types, `ilmd`
 * only on ADD) and never looser: every document GS1's schema rejects for a reason we test is
 * rejected here too (see test/epcis/).
 *
 * Shape: one `common` schema of definitions, one schema per event type, one `event` schema that
 * dispatches on `type` (so an unknown event type gets one clear error at `/type`), and the
 * EPCISDocument / EPCISQueryDocument schemas. All are registered together by `$id`.
 *
 * User extensions: any key that is a namespaced name (`prefix:name` or a full URI) is accepted at
 * every level the standard allows them, with any JSON value; their depth and size are bounded by
 * the limits in epcis-validate.ts, which run before the schema.
 */

const BASE = 'https://zhefoodchain.org/schemas/epcis/2.0';

/** `$id`s of the schemas, for `ajv.getSchema(...)`. */
export const EPCIS_SCHEMA_IDS = {
  common: `${BASE}/common.json`,
  event: `${BASE}/event.json`,
  standaloneEvent: `${BASE}/standalone-event.json`,
  objectEvent: `${BASE}/object-event.json`,
  aggregationEvent: `${BASE}/aggregation-event.json`,
  transactionEvent: `${BASE}/transaction-event.json`,
  transformationEvent: `${BASE}/transformation-event.json`,
  associationEvent: `${BASE}/association-event.json`,
  document: `${BASE}/epcis-document.json`,
  queryDocument: `${BASE}/epcis-query-document.json`,
} as const;

/** The five EPCIS 2.0 event types (EPCIS 2.0 §7.4). */
export const EPCIS_EVENT_TYPES = [
  'ObjectEvent',
  'AggregationEvent',
  'TransactionEvent',
  'TransformationEvent',
  'AssociationEvent',
] as const;

/** One of {@link EPCIS_EVENT_TYPES}. */
export type EpcisEventType = (typeof EPCIS_EVENT_TYPES)[number];

/** Longest URI or identifier accepted anywhere (characters). */
export const MAX_URI_LENGTH = 2048;
/** Most events in one EPCISDocument or EPCISQueryDocument. */
export const MAX_EVENTS_PER_DOCUMENT = 10_000;
/** Most identifiers in one list of one event (epcList, childEPCs, …). */
export const MAX_LIST_ITEMS = 10_000;

/** A namespaced key: a CURIE prefix (`example:myField`) or an absolute URI. */
export const EXTENSION_KEY_PATTERN = '^[A-Za-z][A-Za-z0-9+.\\-]*:[^\\s]+$';

/** CBV 2.0 §7.1 business steps (bare-word form). */
export const CBV_BIZ_STEPS = [
  'accepting', 'arriving', 'assembling', 'collecting', 'commissioning', 'consigning',
  'creating_class_instance', 'cycle_counting', 'decommissioning', 'departing', 'destroying',
  'disassembling', 'dispensing', 'encoding', 'entering_exiting', 'holding', 'inspecting',
  'installing', 'killing', 'loading', 'other', 'packing', 'picking', 'receiving', 'removing',
  'repackaging', 'repairing', 'replacing', 'reserving', 'retail_selling', 'sampling',
  'sensor_reporting', 'shipping', 'staging_outbound', 'stock_taking', 'stocking', 'storing',
  'transporting', 'unloading', 'unpacking', 'void_shipping',
] as const;

/** CBV 2.0 §7.2 dispositions (bare-word form). */
export const CBV_DISPOSITIONS = [
  'active', 'available', 'completeness_inferred', 'completeness_verified', 'conformant',
  'container_closed', 'container_open', 'damaged', 'destroyed', 'dispensed', 'disposed', 'encoded',
  'expired', 'in_progress', 'in_transit', 'inactive', 'mismatch_class', 'mismatch_instance',
  'mismatch_quantity', 'needs_replacement', 'no_pedigree_match', 'non_conformant',
  'non_sellable_other', 'partially_dispensed', 'recalled', 'reserved', 'retail_sold', 'returned',
  'sellable_accessible', 'sellable_not_accessible', 'stolen', 'unavailable', 'unknown',
] as const;

/** CBV 2.0 §7.3 business transaction types (bare-word form). */
export const CBV_BIZ_TRANSACTION_TYPES = [
  'bol', 'cert', 'desadv', 'inv', 'pedigree', 'po', 'poc', 'prodorder', 'recadv', 'rma', 'testprd',
  'testres', 'upevt',
] as const;
/** CBV 2.0 §7.4 source and destination types, and §7.5 error reasons (bare-word form). */
export const CBV_SOURCE_DEST_TYPES = ['owning_party', 'possessing_party', 'location'] as const;
export const CBV_ERROR_REASONS = ['did_not_occur', 'incorrect_data'] as const;
const CBV_COMPONENTS = [
  'x', 'y', 'z', 'axial_distance', 'azimuth', 'height', 'spherical_radius', 'polar_angle',
  'elevation_angle', 'easting', 'northing', 'latitude', 'longitude', 'altitude',
] as const;
/** GS1 Web Vocabulary measurement types used by sensorReport.type (EPCIS 2.0 §7.3.8). */
const MEASUREMENT_TYPES = [
  'AbsoluteHumidity', 'AbsorbedDose', 'AbsorbedDoseRate', 'Acceleration', 'Radioactivity',
  'Altitude', 'AmountOfSubstance', 'AmountOfSubstancePerUnitVolume', 'Angle',
  'AngularAcceleration', 'AngularMomentum', 'AngularVelocity', 'Area', 'Capacitance',
  'Conductance', 'Conductivity', 'Count', 'Density', 'Dimensionless', 'DoseEquivalent',
  'DoseEquivalentRate', 'DynamicViscosity', 'ElectricCharge', 'ElectricCurrent',
  'ElectricCurrentDensity', 'ElectricFieldStrength', 'Energy', 'Exposure', 'Force', 'Frequency',
  'Illuminance', 'Inductance', 'Irradiance', 'KinematicViscosity', 'Length', 'LinearMomentum',
  'Luminance', 'LuminousFlux', 'LuminousIntensity', 'MagneticFlux', 'MagneticFluxDensity',
  'MagneticVectorPotential', 'Mass', 'MassConcentration', 'MassFlowRate', 'MassPerAreaTime',
  'MemoryCapacity', 'MolalityOfSolute', 'MolarEnergy', 'MolarMass', 'MolarVolume', 'Power',
  'Pressure', 'RadiantFlux', 'RadiantIntensity', 'RelativeHumidity', 'Resistance', 'Resistivity',
  'SolidAngle', 'SpecificVolume', 'Speed', 'SurfaceDensity', 'SurfaceTension', 'Temperature',
  'Time', 'Torque', 'Voltage', 'Volume', 'VolumeFlowRate', 'VolumeFraction', 'VolumetricFlux',
  'Wavenumber',
] as const;

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `common.json#/definitions/${name}` });
const listOf = (item: Json, minItems = 0): Json => ({ type: 'array', items: item, minItems, maxItems: MAX_LIST_ITEMS });
/** A CBV bare word, or a URI outside the namespace the bare words stand for. */
const vocab = (words: readonly string[], description: string, notPrefix = CBV_URI_PREFIX): Json => ({
  type: 'string',
  description,
  anyOf: [{ enum: words }, { format: 'uri', maxLength: MAX_URI_LENGTH, not: { pattern: notPrefix } }],
});
const CBV_URI_PREFIX = '^(urn:epcglobal:cbv|https?://ns\\.gs1\\.org/cbv/)';
const GS1_VOC_PREFIX = '^https?://(www\\.)?gs1\\.org/voc/';

/**
 * Properties named by the standard plus namespaced extension keys, nothing else: a misspelt
 * standard field is an error, not a silent extension.
 */
const closedObject = (properties: Json, required: readonly string[] = []): Json => ({
  type: 'object',
  properties,
  required,
  patternProperties: { [EXTENSION_KEY_PATTERN]: ref('extensionValue') },
  additionalProperties: false,
});

/** Shared definitions: identifiers, times, vocabularies and the event's building blocks. */
export const EPCIS_COMMON_SCHEMA = {
  $id: EPCIS_SCHEMA_IDS.common,
  $comment: 'Zhe Food Chain EPCIS 2.0 schema: shared definitions.',
  definitions: {
    uri: { type: 'string', format: 'uri', maxLength: MAX_URI_LENGTH },
    /**
     * An identifier (EPC): an EPC URN (Tag Data Standard §6) or a GS1 Digital Link URI, or any
     * other URI the standard allows. A `urn:epc:` string must be a well-formed EPC URN.
     */
    epc: {
      type: 'string',
      format: 'uri',
      maxLength: MAX_URI_LENGTH,
      if: { pattern: '^urn:epc:' },
      then: { pattern: '^urn:epc:(id|class|idpat):[a-z0-9]+:[^:\\s]+' },
    },
    epcList: { type: 'array', items: ref('epc'), uniqueItems: true, maxItems: MAX_LIST_ITEMS },
    time: { type: 'string', format: 'date-time', maxLength: 64 },
    timeZoneOffset: { type: 'string', pattern: '^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$' },
    eventID: ref('uri'),
    context: {
      anyOf: [
        ref('uri'),
        { type: 'object' },
        { type: 'array', uniqueItems: true, items: { anyOf: [ref('uri'), { type: 'object' }] } },
      ],
    },
    extensionValue: {
      description: 'any JSON value (user extension); depth and size bounded by the validator',
    },
    action: { type: 'string', enum: ['OBSERVE', 'ADD', 'DELETE'] },
    bizStep: vocab(CBV_BIZ_STEPS, 'a CBV business step or a URI outside the CBV namespace'),
    disposition: vocab(CBV_DISPOSITIONS, 'a CBV disposition or a URI outside the CBV namespace'),
    persistentDisposition: {
      type: 'object',
      properties: {
        set: { type: 'array', items: ref('disposition'), minItems: 1, uniqueItems: true },
        unset: { type: 'array', items: ref('disposition'), minItems: 1, uniqueItems: true },
      },
      additionalProperties: false,
      minProperties: 1,
    },
    readPoint: closedObject({ id: ref('uri') }, ['id']),
    bizLocation: closedObject({ id: ref('uri') }, ['id']),
    quantityElement: {
      type: 'object',
      properties: {
        epcClass: ref('epc'),
        quantity: { type: 'number' },
        uom: { type: 'string', pattern: '^[A-Z0-9]{2,3}$' },
      },
      required: ['epcClass'],
      additionalProperties: false,
    },
    quantityList: listOf(ref('quantityElement')),
    bizTransaction: {
      type: 'object',
      properties: {
        type: vocab(CBV_BIZ_TRANSACTION_TYPES, 'a CBV business transaction type or a URI outside the CBV namespace'),
        bizTransaction: ref('uri'),
      },
      required: ['bizTransaction'],
      additionalProperties: false,
    },
    bizTransactionList: listOf(ref('bizTransaction')),
    sourceDestType: vocab(CBV_SOURCE_DEST_TYPES, 'a CBV source/destination type or a URI outside the CBV namespace'),
    source: {
      type: 'object',
      properties: { type: ref('sourceDestType'), source: ref('uri') },
      required: ['type', 'source'],
      additionalProperties: false,
    },
    destination: {
      type: 'object',
      properties: { type: ref('sourceDestType'), destination: ref('uri') },
      required: ['type', 'destination'],
      additionalProperties: false,
    },
    sourceList: listOf(ref('source')),
    destinationList: listOf(ref('destination')),
    certificationInfo: { anyOf: [ref('uri'), { type: 'array', items: ref('uri'), maxItems: MAX_LIST_ITEMS }] },
    errorDeclaration: closedObject(
      {
        declarationTime: ref('time'),
        reason: vocab(CBV_ERROR_REASONS, 'a CBV error reason or a URI outside the CBV namespace'),
        correctiveEventIDs: listOf(ref('eventID')),
      },
      ['declarationTime'],
    ),
    sensorMetadata: closedObject({
      time: ref('time'),
      startTime: ref('time'),
      endTime: ref('time'),
      deviceID: ref('uri'),
      deviceMetadata: ref('uri'),
      rawData: ref('uri'),
      dataProcessingMethod: ref('uri'),
      bizRules: ref('uri'),
    }),
    sensorReport: closedObject(
      {
        type: vocab(MEASUREMENT_TYPES, 'a GS1 measurement type or a URI outside the GS1 Web Vocabulary', GS1_VOC_PREFIX),
        exception: vocab(['ALARM_CONDITION', 'ERROR_CONDITION'], 'a sensor alert type or a URI outside the GS1 Web Vocabulary', GS1_VOC_PREFIX),
        deviceID: ref('uri'),
        deviceMetadata: ref('uri'),
        rawData: ref('uri'),
        dataProcessingMethod: ref('uri'),
        bizRules: ref('uri'),
        time: ref('time'),
        microorganism: ref('uri'),
        chemicalSubstance: ref('uri'),
        coordinateReferenceSystem: ref('uri'),
        value: { type: 'number' },
        component: vocab(CBV_COMPONENTS, 'a CBV component or a URI outside the CBV namespace'),
        stringValue: { type: 'string' },
        booleanValue: { type: 'boolean' },
        hexBinaryValue: { type: 'string', pattern: '^[A-Fa-f0-9]+$' },
        uriValue: ref('uri'),
        minValue: { type: 'number' },
        maxValue: { type: 'number' },
        meanValue: { type: 'number' },
        sDev: { type: 'number' },
        percRank: { type: 'number' },
        percValue: { type: 'number' },
        uom: { type: 'string', maxLength: 16 },
      },
      ['type'],
    ),
    sensorElement: closedObject(
      { sensorMetadata: ref('sensorMetadata'), sensorReport: listOf(ref('sensorReport'), 1) },
      ['sensorReport'],
    ),
    sensorElementList: listOf(ref('sensorElement')),
    ilmd: {
      type: 'object',
      description: 'instance/lot master data: namespaced keys only',
      propertyNames: { pattern: EXTENSION_KEY_PATTERN },
    },
  },
} as const;

/** Fields every event may carry (EPCIS 2.0 §7.4.1 EPCISEvent). */
const commonEventProperties = {
  '@context': ref('context'),
  eventTime: ref('time'),
  recordTime: ref('time'),
  eventTimeZoneOffset: ref('timeZoneOffset'),
  eventID: ref('eventID'),
  certificationInfo: ref('certificationInfo'),
  errorDeclaration: ref('errorDeclaration'),
};
const commonRequired = ['type', 'eventTime', 'eventTimeZoneOffset'];

/** The "what" dimension must be present: at least one of `lists` non-empty, with a clear message. */
const needsOneOf = (description: string, ...alternatives: Json[]): Json => ({ description, anyOf: alternatives });
const nonEmpty = (name: string): Json => ({ required: [name], properties: { [name]: { minItems: 1 } } });
const present = (name: string): Json => ({ required: [name] });
const deleteAction: Json = { required: ['action'], properties: { action: { const: 'DELETE' } } };

const eventSchema = (id: string, type: EpcisEventType, properties: Json, required: string[], rules: Json[]): Json => ({
  $id: id,
  title: type,
  allOf: [
    closedObject({ ...commonEventProperties, type: { const: type }, ...properties }, [...commonRequired, ...required]),
    ...rules,
  ],
});

/** The why and where every event type has (EPCIS 2.0 §7.3): business step and state, place, parties, sensors. */
const WHY_AND_WHERE = {
  bizStep: ref('bizStep'),
  disposition: ref('disposition'),
  readPoint: ref('readPoint'),
  bizLocation: ref('bizLocation'),
  bizTransactionList: ref('bizTransactionList'),
  sourceList: ref('sourceList'),
  destinationList: ref('destinationList'),
  sensorElementList: ref('sensorElementList'),
};

/** ObjectEvent (EPCIS 2.0 §7.4.2). */
export const EPCIS_OBJECT_EVENT_SCHEMA = eventSchema(
  EPCIS_SCHEMA_IDS.objectEvent,
  'ObjectEvent',
  {
    action: ref('action'),
    epcList: ref('epcList'),
    quantityList: ref('quantityList'),
    ...WHY_AND_WHERE,
    persistentDisposition: ref('persistentDisposition'),
    ilmd: ref('ilmd'),
  },
  ['action'],
  [
    needsOneOf(
      'an ObjectEvent with epcList, a non-empty quantityList, or a non-empty sensorElementList with a readPoint',
      present('epcList'),
      nonEmpty('quantityList'),
      { allOf: [nonEmpty('sensorElementList'), present('readPoint')] },
    ),
    { if: { required: ['ilmd'] }, then: { properties: { action: { const: 'ADD', description: 'ilmd is allowed only when action is ADD' } } } },
  ],
);

/** AggregationEvent (EPCIS 2.0 §7.4.3). */
export const EPCIS_AGGREGATION_EVENT_SCHEMA = eventSchema(
  EPCIS_SCHEMA_IDS.aggregationEvent,
  'AggregationEvent',
  {
    action: ref('action'),
    parentID: ref('epc'),
    childEPCs: ref('epcList'),
    childQuantityList: ref('quantityList'),
    ...WHY_AND_WHERE,
  },
  ['action'],
  [needsOneOf('an AggregationEvent with non-empty childEPCs or childQuantityList, unless action is DELETE', nonEmpty('childEPCs'), nonEmpty('childQuantityList'), deleteAction)],
);

/** TransactionEvent (EPCIS 2.0 §7.4.5). */
export const EPCIS_TRANSACTION_EVENT_SCHEMA = eventSchema(
  EPCIS_SCHEMA_IDS.transactionEvent,
  'TransactionEvent',
  {
    action: ref('action'),
    parentID: ref('epc'),
    epcList: ref('epcList'),
    quantityList: ref('quantityList'),
    ...WHY_AND_WHERE,
    bizTransactionList: listOf(ref('bizTransaction'), 1), // required here, and never empty
  },
  ['action', 'bizTransactionList'],
  [needsOneOf('a TransactionEvent with epcList or a non-empty quantityList, unless action is DELETE', present('epcList'), nonEmpty('quantityList'), deleteAction)],
);

/** TransformationEvent (EPCIS 2.0 §7.4.6): no action; inputs and outputs, or a transformationID. */
export const EPCIS_TRANSFORMATION_EVENT_SCHEMA = eventSchema(
  EPCIS_SCHEMA_IDS.transformationEvent,
  'TransformationEvent',
  {
    inputEPCList: ref('epcList'),
    inputQuantityList: ref('quantityList'),
    outputEPCList: ref('epcList'),
    outputQuantityList: ref('quantityList'),
    transformationID: ref('uri'),
    ...WHY_AND_WHERE,
    persistentDisposition: ref('persistentDisposition'),
    ilmd: ref('ilmd'),
  },
  [],
  [
    needsOneOf(
      'a TransformationEvent with at least one input and one output, or a transformationID and at least one input or output',
      {
        allOf: [
          { anyOf: [nonEmpty('inputEPCList'), nonEmpty('inputQuantityList')] },
          { anyOf: [nonEmpty('outputEPCList'), nonEmpty('outputQuantityList')] },
        ],
      },
      {
        allOf: [
          present('transformationID'),
          { anyOf: [nonEmpty('inputEPCList'), nonEmpty('inputQuantityList'), nonEmpty('outputEPCList'), nonEmpty('outputQuantityList')] },
        ],
      },
    ),
  ],
);

/** AssociationEvent (EPCIS 2.0 §7.4.4). */
export const EPCIS_ASSOCIATION_EVENT_SCHEMA = eventSchema(
  EPCIS_SCHEMA_IDS.associationEvent,
  'AssociationEvent',
  {
    action: ref('action'),
    parentID: ref('epc'),
    childEPCs: ref('epcList'),
    childQuantityList: ref('quantityList'),
    ...WHY_AND_WHERE,
  },
  ['action', 'parentID'],
  [needsOneOf('an AssociationEvent with non-empty childEPCs or childQuantityList, unless action is DELETE', nonEmpty('childEPCs'), nonEmpty('childQuantityList'), deleteAction)],
);

const EVENT_FILES: Record<EpcisEventType, string> = {
  ObjectEvent: 'object-event.json',
  AggregationEvent: 'aggregation-event.json',
  TransactionEvent: 'transaction-event.json',
  TransformationEvent: 'transformation-event.json',
  AssociationEvent: 'association-event.json',
};

/**
 * Any one event, dispatched on `type` with ajv's `discriminator` keyword, so an unknown or
 * missing type is one error at `/type` rather than five failed alternatives.
 */
export const EPCIS_EVENT_SCHEMA = {
  $id: EPCIS_SCHEMA_IDS.event,
  title: 'EPCIS 2.0 event',
  type: 'object',
  discriminator: { propertyName: 'type' },
  required: ['type'],
  oneOf: EPCIS_EVENT_TYPES.map((t) => ({
    properties: { type: { const: t } },
    allOf: [{ $ref: EVENT_FILES[t] }],
  })),
} as const;

/** A single event sent on its own (POST /epcis/events): as an event, and it must carry @context. */
export const EPCIS_STANDALONE_EVENT_SCHEMA = {
  $id: EPCIS_SCHEMA_IDS.standaloneEvent,
  title: 'EPCIS 2.0 event (standalone JSON-LD)',
  allOf: [{ $ref: 'event.json' }, { type: 'object', required: ['@context'] }],
} as const;

const vocabulary = {
  type: 'object',
  properties: {
    type: ref('uri'),
    vocabularyElementList: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: ref('uri'),
          attributes: {
            type: 'array',
            maxItems: 1000,
            items: {
              type: 'object',
              properties: { id: ref('uri'), attribute: { type: ['number', 'string', 'object'] } },
              required: ['id'],
            },
          },
          children: { type: 'array', items: ref('uri'), maxItems: MAX_EVENTS_PER_DOCUMENT },
        },
        required: ['id'],
      },
      maxItems: MAX_EVENTS_PER_DOCUMENT,
    },
  },
  required: ['type'],
};

const eventList = { type: 'array', items: { $ref: 'event.json' }, maxItems: MAX_EVENTS_PER_DOCUMENT };

/** EPCISDocument (EPCIS 2.0 §9.2): what capture takes. */
export const EPCIS_DOCUMENT_SCHEMA = {
  $id: EPCIS_SCHEMA_IDS.document,
  title: 'EPCISDocument',
  ...closedObject(
    {
      '@context': ref('context'),
      id: ref('uri'),
      type: { const: 'EPCISDocument' },
      schemaVersion: { type: 'string', pattern: '^\\d+(\\.\\d+)*$' },
      creationDate: ref('time'),
      instanceIdentifier: { type: 'string', maxLength: MAX_URI_LENGTH },
      sender: { type: 'string', maxLength: MAX_URI_LENGTH },
      receiver: { type: 'string', maxLength: MAX_URI_LENGTH },
      epcisHeader: closedObject({
        epcisMasterData: { type: 'object', properties: { vocabularyList: { type: 'array', items: vocabulary, maxItems: 100 } } },
      }),
      epcisBody: { type: 'object', properties: { eventList }, required: ['eventList'], additionalProperties: false },
    },
    ['@context', 'type', 'schemaVersion', 'creationDate', 'epcisBody'],
  ),
} as const;

/** EPCISQueryDocument (EPCIS 2.0 §9.3): what query answers. */
export const EPCIS_QUERY_DOCUMENT_SCHEMA = {
  $id: EPCIS_SCHEMA_IDS.queryDocument,
  title: 'EPCISQueryDocument',
  ...closedObject(
    {
      '@context': ref('context'),
      id: ref('uri'),
      type: { const: 'EPCISQueryDocument' },
      schemaVersion: { type: 'string', pattern: '^\\d+(\\.\\d+)*$' },
      creationDate: ref('time'),
      epcisBody: closedObject(
        {
          queryResults: closedObject(
            {
              queryName: { type: 'string' },
              subscriptionID: { type: 'string' },
              resultsBody: closedObject({ eventList, vocabularyList: { type: 'array', items: vocabulary } }, ['eventList']),
            },
            ['queryName', 'resultsBody'],
          ),
        },
        ['queryResults'],
      ),
    },
    ['@context', 'type', 'epcisBody'],
  ),
} as const;

/** Every schema above, for `new Ajv({ schemas: EPCIS_SCHEMAS })`. */
export const EPCIS_SCHEMAS: readonly object[] = [
  EPCIS_COMMON_SCHEMA,
  EPCIS_OBJECT_EVENT_SCHEMA,
  EPCIS_AGGREGATION_EVENT_SCHEMA,
  EPCIS_TRANSACTION_EVENT_SCHEMA,
  EPCIS_TRANSFORMATION_EVENT_SCHEMA,
  EPCIS_ASSOCIATION_EVENT_SCHEMA,
  EPCIS_EVENT_SCHEMA,
  EPCIS_STANDALONE_EVENT_SCHEMA,
  EPCIS_DOCUMENT_SCHEMA,
  EPCIS_QUERY_DOCUMENT_SCHEMA,
];
