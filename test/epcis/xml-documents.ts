/**
 * EPCIS documents in the XML binding for the XML tests (test/epcis/xml.test.ts), written for this
 * project (GS1's own XML examples are not copied here): a rice harvest's journey in EPCIS 1.2
 * form, with every 1.x wrapper, and a cold-chain document in EPCIS 2.0 form with sensor data,
 * an error declaration, master data, an SBDH and the awkward corners of XML namespaces.
 */

/** EPCIS 1.2: baseExtension's eventID, extension-wrapped lists and ilmd, and a TransformationEvent in EventList/extension. */
export const HARVEST_1_2 = `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" xmlns:cbvmda="urn:epcglobal:cbv:mda"
    xmlns:zfc="https://zhefood.example.cn/epcis/" schemaVersion="1.2" creationDate="2026-03-01T08:00:00Z">
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2026-03-01T08:00:00+08:00</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <baseExtension><eventID>urn:uuid:6f1c0d2e-0000-4000-8000-000000000001</eventID></baseExtension>
        <epcList>
          <epc>urn:epc:id:sgtin:0695000.030100.R1</epc>
          <epc>urn:epc:id:sgtin:0695000.030100.R2</epc>
        </epcList>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
        <disposition>urn:epcglobal:cbv:disp:active</disposition>
        <readPoint><id>urn:epc:id:sgln:0695000.00011.0</id></readPoint>
        <extension>
          <quantityList>
            <quantityElement>
              <epcClass>urn:epc:class:lgtin:0695000.030100.LOT-A</epcClass>
              <quantity>250.5</quantity>
              <uom>KGM</uom>
            </quantityElement>
          </quantityList>
          <ilmd>
            <cbvmda:lotNumber>LOT-A</cbvmda:lotNumber>
            <cbvmda:netWeight measurementUnitCode="KGM">250.5</cbvmda:netWeight>
            <zfc:harvest>
              <zfc:field>Paddy 7</zfc:field>
              <zfc:field>Paddy 8</zfc:field>
            </zfc:harvest>
          </ilmd>
        </extension>
        <zfc:grower>Wang &amp; Sons 王氏</zfc:grower>
      </ObjectEvent>
      <AggregationEvent>
        <eventTime>2026-03-01T09:00:00Z</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <parentID>urn:epc:id:sscc:0695000.0000000001</parentID>
        <childEPCs>
          <epc>urn:epc:id:sgtin:0695000.030100.R1</epc>
          <epc>urn:epc:id:sgtin:0695000.030100.R2</epc>
        </childEPCs>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>
      </AggregationEvent>
      <TransactionEvent>
        <eventTime>2026-03-01T10:00:00Z</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <bizTransactionList>
          <bizTransaction type="urn:epcglobal:cbv:btt:po">urn:epcglobal:cbv:bt:0695000000110:PO-1</bizTransaction>
        </bizTransactionList>
        <parentID>urn:epc:id:sscc:0695000.0000000001</parentID>
        <epcList><epc>urn:epc:id:sgtin:0695000.030100.R1</epc></epcList>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
        <disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
        <extension>
          <sourceList><source type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:0695000.00011</source></sourceList>
          <destinationList><destination type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:0695000.00051</destination></destinationList>
        </extension>
      </TransactionEvent>
      <extension>
        <TransformationEvent>
          <eventTime>2026-03-02T10:00:00Z</eventTime>
          <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
          <inputEPCList><epc>urn:epc:id:sgtin:0695000.030100.R1</epc></inputEPCList>
          <outputQuantityList>
            <quantityElement>
              <epcClass>urn:epc:class:lgtin:0695000.030200.FLOUR-1</epcClass>
              <quantity>20</quantity>
              <uom>KGM</uom>
            </quantityElement>
          </outputQuantityList>
          <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
        </TransformationEvent>
      </extension>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>`;

/** {@link HARVEST_1_2} as the JSON binding writes it. */
export const HARVEST_JSON = {
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { zfc: 'https://zhefood.example.cn/epcis/' }],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-03-01T08:00:00Z',
  epcisBody: {
    eventList: [
      {
        type: 'ObjectEvent',
        eventTime: '2026-03-01T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        eventID: 'urn:uuid:6f1c0d2e-0000-4000-8000-000000000001',
        epcList: ['urn:epc:id:sgtin:0695000.030100.R1', 'urn:epc:id:sgtin:0695000.030100.R2'],
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        readPoint: { id: 'urn:epc:id:sgln:0695000.00011.0' },
        quantityList: [{ epcClass: 'urn:epc:class:lgtin:0695000.030100.LOT-A', quantity: 250.5, uom: 'KGM' }],
        ilmd: { 'cbvmda:lotNumber': 'LOT-A', 'cbvmda:netWeight': '250.5', 'zfc:harvest': { 'zfc:field': ['Paddy 7', 'Paddy 8'] } },
        'zfc:grower': 'Wang & Sons 王氏',
      },
      {
        type: 'AggregationEvent',
        eventTime: '2026-03-01T09:00:00Z',
        eventTimeZoneOffset: '+08:00',
        parentID: 'urn:epc:id:sscc:0695000.0000000001',
        childEPCs: ['urn:epc:id:sgtin:0695000.030100.R1', 'urn:epc:id:sgtin:0695000.030100.R2'],
        action: 'ADD',
        bizStep: 'packing',
      },
      {
        type: 'TransactionEvent',
        eventTime: '2026-03-01T10:00:00Z',
        eventTimeZoneOffset: '+08:00',
        bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0695000000110:PO-1' }],
        parentID: 'urn:epc:id:sscc:0695000.0000000001',
        epcList: ['urn:epc:id:sgtin:0695000.030100.R1'],
        action: 'ADD',
        bizStep: 'shipping',
        disposition: 'in_transit',
        sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0695000.00011' }],
        destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:0695000.00051' }],
      },
      {
        type: 'TransformationEvent',
        eventTime: '2026-03-02T10:00:00Z',
        eventTimeZoneOffset: '+08:00',
        inputEPCList: ['urn:epc:id:sgtin:0695000.030100.R1'],
        outputQuantityList: [{ epcClass: 'urn:epc:class:lgtin:0695000.030200.FLOUR-1', quantity: 20, uom: 'KGM' }],
        bizStep: 'commissioning',
      },
    ],
  },
};

/**
 * EPCIS 2.0: an SBDH, master data and an extension in the header, and one after the body; an ObjectEvent with sensor data (typed
 * attributes, an extension attribute), persistentDisposition, certificationInfo and an error
 * declaration; an AssociationEvent; extensions in a default namespace, under a prefix bound to
 * two namespaces in turn, and with a reserved prefix, CDATA and a character reference.
 */
export const COLD_CHAIN_2_0 = `<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE epcis>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:sbdh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:t="https://cold.example.com/t/"
    xmlns:gs1="https://cold.example.com/not-gs1/" schemaVersion="2.0" creationDate="2026-04-01T00:00:00Z">
  <EPCISHeader>
    <sbdh:StandardBusinessDocumentHeader>
      <sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>
      <sbdh:Sender><sbdh:Identifier Authority="GS1">urn:epc:id:pgln:0695000.00011</sbdh:Identifier></sbdh:Sender>
      <sbdh:Receiver><sbdh:Identifier Authority="GS1">urn:epc:id:pgln:0695000.00051</sbdh:Identifier></sbdh:Receiver>
      <sbdh:DocumentIdentification><sbdh:InstanceIdentifier>COLD-0001</sbdh:InstanceIdentifier></sbdh:DocumentIdentification>
    </sbdh:StandardBusinessDocumentHeader>
    <extension>
      <EPCISMasterData>
        <VocabularyList>
          <Vocabulary type="urn:epcglobal:epcis:vtype:BusinessLocation">
            <VocabularyElementList>
              <VocabularyElement id="urn:epc:id:sgln:0695000.00051.0">
                <attribute id="urn:epcglobal:cbv:mda#name">Cold Store 1</attribute>
                <children><id>urn:epc:id:sgln:0695000.00051.1</id></children>
              </VocabularyElement>
            </VocabularyElementList>
          </Vocabulary>
        </VocabularyList>
      </EPCISMasterData>
    </extension>
    <t:carrier>Cold Lines Ltd</t:carrier>
  </EPCISHeader>
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2026-04-01T02:00:00.000Z</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <eventID>urn:uuid:6f1c0d2e-0000-4000-8000-000000000002</eventID>
        <errorDeclaration>
          <declarationTime>2026-04-02T00:00:00Z</declarationTime>
          <reason>urn:epcglobal:cbv:er:incorrect_data</reason>
          <correctiveEventIDs><correctiveEventID>urn:uuid:6f1c0d2e-0000-4000-8000-000000000003</correctiveEventID></correctiveEventIDs>
          <t:note>sensor misread</t:note>
        </errorDeclaration>
        <certificationInfo>https://cert.example.org/c/42</certificationInfo>
        <epcList><epc>urn:epc:id:sgtin:0695000.030100.R2</epc></epcList>
        <action>OBSERVE</action>
        <bizStep>urn:epcglobal:cbv:bizstep:storing</bizStep>
        <bizLocation><id>urn:epc:id:sgln:0695000.00051.0</id><t:bay>B7</t:bay></bizLocation>
        <sensorElementList>
          <sensorElement>
            <sensorMetadata time="2026-04-01T02:00:00Z" deviceID="urn:epc:id:giai:0695000.T1" t:firmware="4.2"/>
            <sensorReport type="gs1:Temperature" value="-18.5" uom="CEL" minValue="-19" maxValue="-17.25"/>
            <sensorReport type="https://gs1.org/voc/AbsoluteHumidity" value="0.4" uom="A93" booleanValue="false" exception="gs1:ALARM_CONDITION"/>
            <t:probe>inner</t:probe>
          </sensorElement>
        </sensorElementList>
        <persistentDisposition>
          <set>urn:epcglobal:cbv:disp:completeness_verified</set>
          <unset>urn:epcglobal:cbv:disp:completeness_inferred</unset>
        </persistentDisposition>
        <readings xmlns="https://cold.example.com/default/">
          <reading at="02:00">-18.5</reading>
          <reading at="03:00"><![CDATA[-18.1 <ok>]]></reading>
        </readings>
        <t:seal xsi:type="xsd:boolean">true</t:seal>
        <t:empty xsi:nil="true"/>
        <t:box xmlns:t="https://cold.example.com/other-t/"><t:size>L&#x4E2D;</t:size></t:box>
        <gs1:grade>A</gs1:grade>
      </ObjectEvent>
      <AssociationEvent>
        <eventTime>2026-04-01T03:00:00Z</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <parentID>urn:epc:id:grai:0695000.00001.TRUCK7</parentID>
        <childEPCs><epc>urn:epc:id:giai:0695000.T1</epc></childEPCs>
        <action>ADD</action>
        <bizStep>urn:epcglobal:cbv:bizstep:assembling</bizStep>
        <readPoint><id>urn:epc:id:sgln:0695000.00051.0</id></readPoint>
      </AssociationEvent>
    </EventList>
  </EPCISBody>
  <t:batch>night run</t:batch>
</epcis:EPCISDocument>`;

/** {@link COLD_CHAIN_2_0} as the JSON binding writes it. */
export const COLD_CHAIN_JSON = {
  '@context': [
    'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
    { t: 'https://cold.example.com/t/', ns: 'https://cold.example.com/default/', t1: 'https://cold.example.com/other-t/', ns1: 'https://cold.example.com/not-gs1/' },
  ],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-04-01T00:00:00Z',
  sender: 'urn:epc:id:pgln:0695000.00011',
  receiver: 'urn:epc:id:pgln:0695000.00051',
  instanceIdentifier: 'COLD-0001',
  't:batch': 'night run',
  epcisHeader: {
    't:carrier': 'Cold Lines Ltd',
    epcisMasterData: {
      vocabularyList: [
        {
          type: 'urn:epcglobal:epcis:vtype:BusinessLocation',
          vocabularyElementList: [
            { id: 'urn:epc:id:sgln:0695000.00051.0', attributes: [{ id: 'urn:epcglobal:cbv:mda#name', attribute: 'Cold Store 1' }], children: ['urn:epc:id:sgln:0695000.00051.1'] },
          ],
        },
      ],
    },
  },
  epcisBody: {
    eventList: [
      {
        type: 'ObjectEvent',
        eventTime: '2026-04-01T02:00:00.000Z',
        eventTimeZoneOffset: '+08:00',
        eventID: 'urn:uuid:6f1c0d2e-0000-4000-8000-000000000002',
        errorDeclaration: {
          declarationTime: '2026-04-02T00:00:00Z',
          reason: 'incorrect_data',
          correctiveEventIDs: ['urn:uuid:6f1c0d2e-0000-4000-8000-000000000003'],
          't:note': 'sensor misread',
        },
        certificationInfo: 'https://cert.example.org/c/42',
        epcList: ['urn:epc:id:sgtin:0695000.030100.R2'],
        action: 'OBSERVE',
        bizStep: 'storing',
        bizLocation: { id: 'urn:epc:id:sgln:0695000.00051.0', 't:bay': 'B7' },
        sensorElementList: [
          {
            sensorMetadata: { time: '2026-04-01T02:00:00Z', deviceID: 'urn:epc:id:giai:0695000.T1', 't:firmware': '4.2' },
            sensorReport: [
              { type: 'Temperature', value: -18.5, uom: 'CEL', minValue: -19, maxValue: -17.25 },
              { type: 'AbsoluteHumidity', value: 0.4, uom: 'A93', booleanValue: false, exception: 'ALARM_CONDITION' },
            ],
            't:probe': 'inner',
          },
        ],
        persistentDisposition: { set: ['completeness_verified'], unset: ['completeness_inferred'] },
        'ns:readings': { 'ns:reading': ['-18.5', '-18.1 <ok>'] },
        't:seal': 'true',
        't:empty': null,
        't1:box': { 't1:size': 'L中' },
        'ns1:grade': 'A',
      },
      {
        type: 'AssociationEvent',
        eventTime: '2026-04-01T03:00:00Z',
        eventTimeZoneOffset: '+08:00',
        parentID: 'urn:epc:id:grai:0695000.00001.TRUCK7',
        childEPCs: ['urn:epc:id:giai:0695000.T1'],
        action: 'ADD',
        bizStep: 'assembling',
        readPoint: { id: 'urn:epc:id:sgln:0695000.00051.0' },
      },
    ],
  },
};
