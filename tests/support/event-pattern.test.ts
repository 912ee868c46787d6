/**
 * The matcher against AWS's documented pattern examples. Patterns and events
 * are copied from:
 * - [UG-patterns] EventBridge User Guide, "Creating Amazon EventBridge event patterns" / "Event pattern syntax",
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html (eb-create-pattern.html)
 * - [UG-filtering] "Content filtering in Amazon EventBridge event patterns",
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 *   (archived source: github.com/awsdocs/amazon-eventbridge-user-guide doc_source/eb-event-patterns-content-based-filtering.md)
 * - [UG-operators] "Comparison operators for use in event patterns",
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * - [UG-arrays] "Arrays in Amazon EventBridge event patterns" (doc_source/eb-event-patterns-arrays.md)
 * - [UG-null] "Matching null values and empty strings" (doc_source/eb-event-patterns-null-values.md)
 * - [Ruler] aws/event-ruler README (the matching library behind EventBridge): wildcard escapes, `$or` forms.
 */
import { describe, expect, it } from 'vitest';
import { matchesPattern } from './event-pattern';

// [UG-patterns] the EC2 sample event.
const ec2Terminated = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

// [UG-filtering] exists matching: the event that matches and the one that does not.
const ec2Pending = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
};
const withoutState = {
  'detail-type': ['EC2 Instance State-change Notification'],
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
  detail: { 'c-count': { c1: 100 } },
};

const detail = (fields: Record<string, unknown>) => ({ detail: fields });

describe('event-pattern matcher: AWS documented examples', () => {
  it('[UG-patterns] fields are ANDed: source, detail-type and detail.state', () => {
    const pattern = { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } };
    expect(matchesPattern(pattern, ec2Terminated)).toBe(true);
    expect(matchesPattern(pattern, ec2Pending)).toBe(false);
    expect(matchesPattern(pattern, { ...ec2Terminated, source: 'aws.fargate' })).toBe(false);
  });

  it('[UG-patterns] the values listed for a field are ORed', () => {
    const pattern = { source: ['aws.ec2', 'aws.fargate'] };
    expect(matchesPattern(pattern, ec2Terminated)).toBe(true);
    expect(matchesPattern(pattern, { ...ec2Terminated, source: 'aws.fargate' })).toBe(true);
    expect(matchesPattern(pattern, { ...ec2Terminated, source: 'aws.ecs' })).toBe(false);
  });

  it('[UG-patterns] a field the pattern names must be in the event', () => {
    expect(matchesPattern({ detail: { state: ['terminated'] } }, { detail: {} })).toBe(false);
    expect(matchesPattern({ detail: { state: ['terminated'] } }, {})).toBe(false);
  });

  it('[UG-filtering] prefix: "time" starting with "2017-10-02"', () => {
    const pattern = { time: [{ prefix: '2017-10-02' }] };
    expect(matchesPattern(pattern, { time: '2017-10-02T18:43:48Z' })).toBe(true);
    expect(matchesPattern(pattern, { time: '2017-10-03T18:43:48Z' })).toBe(false);
    // Prefix matching works on strings only.
    expect(matchesPattern({ n: [{ prefix: '1' }] }, { n: 123 })).toBe(false);
  });

  it('[UG-operators] suffix: FileName ends with .png', () => {
    const pattern = { FileName: [{ suffix: '.png' }] };
    expect(matchesPattern(pattern, { FileName: 'icon.png' })).toBe(true);
    expect(matchesPattern(pattern, { FileName: 'icon.png.txt' })).toBe(false);
  });

  it('[UG-filtering] anything-but a string and a number', () => {
    const byString = detail({ state: [{ 'anything-but': 'initializing' }] });
    expect(matchesPattern(byString, detail({ state: 'running' }))).toBe(true);
    expect(matchesPattern(byString, detail({ state: 'initializing' }))).toBe(false);
    const byNumber = detail({ 'x-limit': [{ 'anything-but': 123 }] });
    expect(matchesPattern(byNumber, detail({ 'x-limit': 124 }))).toBe(true);
    expect(matchesPattern(byNumber, detail({ 'x-limit': 123 }))).toBe(false);
  });

  it('[UG-filtering] anything-but a list of strings and a list of numbers', () => {
    const strings = detail({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] });
    expect(matchesPattern(strings, detail({ state: 'running' }))).toBe(true);
    expect(matchesPattern(strings, detail({ state: 'stopped' }))).toBe(false);
    expect(matchesPattern(strings, detail({ state: 'overloaded' }))).toBe(false);
    const numbers = detail({ 'x-limit': [{ 'anything-but': [100, 200, 300] }] });
    expect(matchesPattern(numbers, detail({ 'x-limit': 150 }))).toBe(true);
    expect(matchesPattern(numbers, detail({ 'x-limit': 200 }))).toBe(false);
  });

  it('[UG-filtering] anything-but does not match an event without the field (only exists:false does)', () => {
    expect(matchesPattern(detail({ state: [{ 'anything-but': 'initializing' }] }), detail({}))).toBe(false);
  });

  it('[UG-filtering] exists true: matches the event with detail.state, not the one without', () => {
    const pattern = detail({ state: [{ exists: true }] });
    expect(matchesPattern(pattern, ec2Pending)).toBe(true);
    expect(matchesPattern(pattern, withoutState)).toBe(false);
  });

  it('[UG-filtering] exists false, which only works on leaf nodes (Ruler: an intermediate node counts as absent)', () => {
    const pattern = detail({ 'c-count': [{ exists: false }] });
    expect(matchesPattern(pattern, ec2Pending)).toBe(true);
    // [Ruler] "would also match the event below because c-count is not a leaf node".
    expect(matchesPattern(pattern, withoutState)).toBe(true);
    expect(matchesPattern(pattern, detail({ 'c-count': 3 }))).toBe(false);
  });

  it('[UG-filtering] complex example: prefix and anything-but together', () => {
    const pattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: { state: [{ 'anything-but': 'initializing' }], 'x-limit': [{ 'anything-but': [100, 200, 300] }] },
    };
    expect(matchesPattern(pattern, { time: '2017-10-02T18:43:48Z', detail: { state: 'running', 'x-limit': 301.8 } })).toBe(true);
    expect(matchesPattern(pattern, { time: '2017-10-02T18:43:48Z', detail: { state: 'initializing', 'x-limit': 301.8 } })).toBe(false);
    expect(matchesPattern(pattern, { time: '2017-10-02T18:43:48Z', detail: { state: 'running', 'x-limit': 200 } })).toBe(false);
  });

  it('[UG-arrays] an array in the event matches when it intersects the pattern values', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchesPattern(pattern, { resources: [event.resources[0]] })).toBe(false);
  });

  it('[UG-null] empty strings and null are matched, and not interchangeably', () => {
    const event = {
      version: '0',
      id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
      'detail-type': 'EC2 Instance Launch Successful',
      source: 'aws.autoscaling',
      account: '123456789012',
      time: '2015-11-11T21:31:47Z',
      region: 'us-east-1',
      resources: [],
      detail: { eventVersion: '', responseElements: null },
    };
    expect(matchesPattern(detail({ eventVersion: [''] }), event)).toBe(true);
    expect(matchesPattern(detail({ responseElements: [null] }), event)).toBe(true);
    expect(matchesPattern(detail({ eventVersion: [null] }), event)).toBe(false);
    expect(matchesPattern(detail({ responseElements: [''] }), event)).toBe(false);
  });

  it('[UG-operators] wildcard: any .png file within the folder "dir"', () => {
    const pattern = { FileName: [{ wildcard: 'dir/*.png' }] };
    expect(matchesPattern(pattern, { FileName: 'dir/image.png' })).toBe(true);
    expect(matchesPattern(pattern, { FileName: 'other/image.png' })).toBe(false);
    expect(matchesPattern(pattern, { FileName: 'dir/image.jpg' })).toBe(false);
  });

  it('[Ruler] wildcard: "Simple*Service", escapes, and no consecutive stars', () => {
    expect(matchesPattern({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleQueueService' })).toBe(true);
    expect(matchesPattern({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleService' })).toBe(true);
    expect(matchesPattern({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleQueueServices' })).toBe(false);
    expect(matchesPattern({ f: [{ wildcard: 'a\\*b' }] }, { f: 'a*b' })).toBe(true);
    expect(matchesPattern({ f: [{ wildcard: 'a\\*b' }] }, { f: 'aXb' })).toBe(false);
    expect(() => matchesPattern({ f: [{ wildcard: 'a**b' }] }, { f: 'ab' })).toThrow(/consecutive/);
  });

  it('[UG-operators] $or: Location is "New York", or Day is "Monday"', () => {
    const pattern = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };
    expect(matchesPattern(pattern, { Location: 'New York', Day: 'Friday' })).toBe(true);
    expect(matchesPattern(pattern, { Location: 'Boston', Day: 'Monday' })).toBe(true);
    expect(matchesPattern(pattern, { Location: 'Boston', Day: 'Friday' })).toBe(false);
  });

  it('[Ruler] $or with an AND inside, next to other fields', () => {
    // Effect of ("source" && ("metricName" || ("metricType" && "namespace") || "scope")).
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] },
        { scope: ['Service'] },
      ],
    };
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType' })).toBe(false);
    expect(matchesPattern(pattern, { source: 'aws.ec2', scope: 'Service' })).toBe(false);
  });

  it('an array of objects matches when one element matches the whole sub-pattern', () => {
    const pattern = detail({ containers: { exitCode: [{ 'anything-but': 0 }], name: ['web'] } });
    expect(matchesPattern(pattern, detail({ containers: [{ name: 'web', exitCode: 0 }, { name: 'sidecar', exitCode: 1 }] }))).toBe(false);
    expect(matchesPattern(pattern, detail({ containers: [{ name: 'web', exitCode: 137 }, { name: 'sidecar', exitCode: 0 }] }))).toBe(true);
  });

  it('refuses the operators the stack does not use, instead of guessing', () => {
    // [UG-filtering] numeric and IP address examples.
    expect(() => matchesPattern(detail({ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }), detail({ 'c-count': 3 }))).toThrow(/not supported/);
    expect(() => matchesPattern(detail({ sourceIPAddress: [{ cidr: '10.0.0.0/24' }] }), detail({ sourceIPAddress: '10.0.0.1' }))).toThrow(/not supported/);
    expect(() => matchesPattern({ $or: [{ a: ['x'] }] }, { a: 'x' })).toThrow(/two or more/);
  });
});
