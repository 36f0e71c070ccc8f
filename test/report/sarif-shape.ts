// A structural check of SARIF 2.1.0 logs against the shapes of the OASIS schema
// (sarif-schema-2.1.0.json) for the objects mailrec writes: required properties, the
// properties each object may hold (the schema sets additionalProperties false), enums,
// types and minimums. No validator package is installed, and the schema is not fetched:
// the objects mailrec never writes (graphs, code flows, fixes...) are accepted as any object.

type Kind =
  | 'string' | 'integer' | 'number' | 'boolean' | 'any' | 'uri' | 'uri-reference' | 'string-map'
  | { ref: string }
  | { array: Kind; unique?: boolean }
  | { enum: readonly string[] }
  | { min: number };

interface Shape {
  props: Record<string, Kind>;
  required?: string[];
  /** At least one of these groups is present in full (the schema's anyOf of required). */
  anyOf?: string[][];
}

const bag: Kind = { ref: 'propertyBag' };
const mms: Kind = { ref: 'multiformatMessageString' };
const msg: Kind = { ref: 'message' };
const idx: Kind = { min: -1 };

// §3.13 sarifLog ... §3.33 logicalLocation, as the schema's "definitions" give them.
const SHAPES: Record<string, Shape> = {
  sarifLog: {
    props: { $schema: 'uri', version: { enum: ['2.1.0'] }, runs: { array: { ref: 'run' } }, inlineExternalProperties: { array: 'any' }, properties: bag },
    required: ['version', 'runs'],
  },
  run: {
    props: {
      tool: { ref: 'tool' }, invocations: { array: 'any' }, conversion: 'any', language: 'string', versionControlProvenance: { array: 'any' },
      originalUriBaseIds: 'any', artifacts: { array: 'any' }, logicalLocations: { array: { ref: 'logicalLocation' } }, graphs: { array: 'any' },
      results: { array: { ref: 'result' } }, automationDetails: 'any', runAggregates: { array: 'any' }, baselineGuid: 'string',
      redactionTokens: { array: 'string' }, defaultEncoding: 'string', defaultSourceLanguage: 'string', newlineSequences: { array: 'string' },
      columnKind: { enum: ['utf16CodeUnits', 'unicodeCodePoints'] }, externalPropertyFileReferences: 'any', threadFlowLocations: { array: 'any' },
      taxonomies: { array: 'any' }, addresses: { array: 'any' }, translations: { array: 'any' }, policies: { array: 'any' },
      webRequests: { array: 'any' }, webResponses: { array: 'any' }, specialLocations: 'any', properties: bag,
    },
    required: ['tool'],
  },
  tool: { props: { driver: { ref: 'toolComponent' }, extensions: { array: { ref: 'toolComponent' } }, properties: bag }, required: ['driver'] },
  toolComponent: {
    props: {
      guid: 'string', name: 'string', organization: 'string', product: 'string', productSuite: 'string', shortDescription: mms, fullDescription: mms,
      fullName: 'string', version: 'string', semanticVersion: 'string', dottedQuadFileVersion: 'string', releaseDateUtc: 'string', downloadUri: 'uri',
      informationUri: 'uri', globalMessageStrings: 'any', notifications: { array: { ref: 'reportingDescriptor' } },
      rules: { array: { ref: 'reportingDescriptor' }, unique: true }, taxa: { array: { ref: 'reportingDescriptor' } }, locations: { array: 'any' },
      language: 'string', contents: { array: 'string' }, isComprehensive: 'boolean', localizedDataSemanticVersion: 'string',
      minimumRequiredLocalizedDataSemanticVersion: 'string', associatedComponent: 'any', translationMetadata: 'any', supportedTaxonomies: { array: 'any' },
      properties: bag,
    },
    required: ['name'],
  },
  reportingDescriptor: {
    props: {
      id: 'string', deprecatedIds: { array: 'string' }, guid: 'string', deprecatedGuids: { array: 'string' }, name: 'string', deprecatedNames: { array: 'string' },
      shortDescription: mms, fullDescription: mms, messageStrings: 'any', defaultConfiguration: { ref: 'reportingConfiguration' }, helpUri: 'uri', help: mms,
      relationships: { array: 'any' }, properties: bag,
    },
    required: ['id'],
  },
  reportingConfiguration: {
    props: { enabled: 'boolean', level: { enum: ['none', 'note', 'warning', 'error'] }, rank: 'number', parameters: bag, properties: bag },
  },
  multiformatMessageString: { props: { text: 'string', markdown: 'string', properties: bag }, required: ['text'] },
  message: { props: { text: 'string', markdown: 'string', id: 'string', arguments: { array: 'string' }, properties: bag }, anyOf: [['text'], ['id']] },
  result: {
    props: {
      ruleId: 'string', ruleIndex: idx, rule: 'any', kind: { enum: ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'] },
      level: { enum: ['none', 'note', 'warning', 'error'] }, message: msg, analysisTarget: { ref: 'artifactLocation' }, locations: { array: { ref: 'location' } },
      guid: 'string', correlationGuid: 'string', occurrenceCount: { min: 1 }, partialFingerprints: 'string-map', fingerprints: 'string-map',
      stacks: { array: 'any' }, codeFlows: { array: 'any' }, graphs: { array: 'any' }, graphTraversals: { array: 'any' }, relatedLocations: { array: { ref: 'location' } },
      suppressions: { array: 'any' }, baselineState: { enum: ['new', 'unchanged', 'updated', 'absent'] }, rank: 'number', attachments: { array: 'any' },
      hostedViewerUri: 'uri', workItemUris: { array: 'uri' }, provenance: 'any', fixes: { array: 'any' }, taxa: { array: 'any' }, webRequest: 'any',
      webResponse: 'any', properties: bag,
    },
    required: ['message'],
  },
  location: {
    props: { id: idx, physicalLocation: { ref: 'physicalLocation' }, logicalLocations: { array: { ref: 'logicalLocation' } }, message: msg, annotations: { array: { ref: 'region' } }, relationships: { array: 'any' }, properties: bag },
  },
  physicalLocation: {
    props: { address: 'any', artifactLocation: { ref: 'artifactLocation' }, region: { ref: 'region' }, contextRegion: { ref: 'region' }, properties: bag },
    anyOf: [['address'], ['artifactLocation']],
  },
  artifactLocation: { props: { uri: 'uri-reference', uriBaseId: 'string', index: idx, description: msg, properties: bag } },
  region: {
    props: {
      startLine: { min: 1 }, startColumn: { min: 1 }, endLine: { min: 1 }, endColumn: { min: 1 }, charOffset: idx, charLength: { min: 0 },
      byteOffset: idx, byteLength: { min: 0 }, snippet: 'any', message: msg, sourceLanguage: 'string', properties: bag,
    },
  },
  logicalLocation: {
    props: { name: 'string', index: idx, fullyQualifiedName: 'string', decoratedName: 'string', parentIndex: idx, kind: 'string', properties: bag },
  },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKind(value: unknown, kind: Kind, path: string, out: string[]): void {
  if (typeof kind === 'string') {
    switch (kind) {
      case 'any':
        return;
      case 'string':
        if (typeof value !== 'string') out.push(`${path}: not a string`);
        return;
      case 'integer':
        if (!Number.isInteger(value)) out.push(`${path}: not an integer`);
        return;
      case 'number':
        if (typeof value !== 'number') out.push(`${path}: not a number`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') out.push(`${path}: not a boolean`);
        return;
      case 'uri':
        if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:[^\s]*$/i.test(value)) out.push(`${path}: not an absolute URI`);
        return;
      case 'uri-reference':
        if (typeof value !== 'string' || /[\s\\]/.test(value)) out.push(`${path}: not a URI reference`);
        return;
      case 'string-map':
        if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) out.push(`${path}: not an object of strings`);
        return;
    }
  }
  if ('ref' in kind) return checkShape(value, kind.ref, path, out);
  if ('enum' in kind) {
    if (typeof value !== 'string' || !kind.enum.includes(value)) out.push(`${path}: ${JSON.stringify(value)} is not one of ${kind.enum.join(', ')}`);
    return;
  }
  if ('min' in kind) {
    if (!Number.isInteger(value) || (value as number) < kind.min) out.push(`${path}: not an integer >= ${kind.min}`);
    return;
  }
  if (!Array.isArray(value)) {
    out.push(`${path}: not an array`);
    return;
  }
  if (kind.unique && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) out.push(`${path}: items not unique`);
  value.forEach((item, i) => checkKind(item, kind.array, `${path}[${i}]`, out));
}

function checkShape(value: unknown, name: string, path: string, out: string[]): void {
  if (!isObject(value)) {
    out.push(`${path}: not an object (${name})`);
    return;
  }
  if (name === 'propertyBag') {
    // §3.8: any properties; "tags" is a set of strings.
    if ('tags' in value) checkKind(value.tags, { array: 'string', unique: true }, `${path}.tags`, out);
    return;
  }
  const shape = SHAPES[name]!;
  for (const key of shape.required ?? []) if (!(key in value)) out.push(`${path}: missing required "${key}" (${name})`);
  if (shape.anyOf && !shape.anyOf.some((group) => group.every((key) => key in value))) {
    out.push(`${path}: needs one of ${shape.anyOf.map((g) => g.join('+')).join(' or ')} (${name})`);
  }
  for (const [key, v] of Object.entries(value)) {
    const kind = shape.props[key];
    if (!kind) out.push(`${path}: property "${key}" is not allowed in ${name}`);
    else checkKind(v, kind, `${path}.${key}`, out);
  }
}

/** Every way the log departs from the SARIF 2.1.0 shapes; empty when it conforms. */
export function checkSarifShape(log: unknown): string[] {
  const out: string[] = [];
  checkShape(log, 'sarifLog', '$', out);
  return out;
}
