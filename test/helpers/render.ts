/**
 * Renders CloudFormation intrinsic functions in a synthesized template to plain strings, with fixed
 * stand-ins for references, so tests can assert exact header strings, URLs and JSON documents.
 */
export const FAKE = {
  region: 'eu-west-1',
  urlSuffix: 'amazonaws.com',
  stackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1a2b3c4d-0000-1111-2222-333344445555',
};

/** `refs` maps logical ids to what their `Ref` stands for (otherwise `<LogicalId>`). */
export function render(value: unknown, refs: Readonly<Record<string, string>> = {}): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'object' || value === null) throw new Error(`cannot render ${JSON.stringify(value)}`);
  const object = value as Record<string, unknown>;
  if ('Ref' in object) {
    const ref = object.Ref as string;
    if (ref === 'AWS::Region') return FAKE.region;
    if (ref === 'AWS::URLSuffix') return FAKE.urlSuffix;
    if (ref === 'AWS::StackId') return FAKE.stackId;
    if (ref === 'AWS::Partition') return 'aws';
    return refs[ref] ?? `<${ref}>`;
  }
  if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => render(part, refs)).join(separator);
  }
  if ('Fn::Split' in object) throw new Error('Fn::Split renders only inside Fn::Select');
  if ('Fn::Select' in object) {
    const [index, list] = object['Fn::Select'] as [number, unknown];
    const items =
      typeof list === 'object' && list !== null && 'Fn::Split' in list
        ? (() => {
            const [separator, source] = (list as { 'Fn::Split': [string, unknown] })['Fn::Split'];
            return render(source, refs).split(separator);
          })()
        : (list as unknown[]).map((item) => render(item, refs));
    return items[index] ?? '';
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}
