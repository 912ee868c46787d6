import { describe, expect, it } from 'vitest';
import { arnName, familyFromTaskDefinitionArn, serviceFromArn } from '../../shared/arn';

describe('ARN helpers', () => {
  it.each([
    ['arn:aws:ecs:us-east-1:123456789012:cluster/example-cluster', 'example-cluster'],
    ['arn:aws:ecs:us-east-1:123456789012:task/example-cluster/a1173316d40a45dea9', 'a1173316d40a45dea9'],
    ['arn:aws:ecs:us-east-1:111122223333:task/b99d40b3-5176-4f71-9a52-9dbd6f1cebef', 'b99d40b3-5176-4f71-9a52-9dbd6f1cebef'],
    ['arn:aws-cn:ecs:cn-north-1:123456789012:container-instance/default/2dd1b186f39845a584488d2ef155c131', '2dd1b186f39845a584488d2ef155c131'],
    ['arn:aws:sns:us-east-1:123456789012:topic-name', 'topic-name'],
    ['not-an-arn', undefined],
    ['arn:aws:ecs', undefined],
    [undefined, undefined],
  ])('names %s as %s', (arn, name) => {
    expect(arnName(arn)).toBe(name);
  });

  it('reads the family of a task definition ARN', () => {
    expect(familyFromTaskDefinitionArn('arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:5')).toBe('webserver');
    expect(familyFromTaskDefinitionArn('arn:aws:ecs:us-east-1:123456789012:task/webserver')).toBeUndefined();
  });

  it('reads cluster and service from long and short service ARNs', () => {
    expect(serviceFromArn('arn:aws:ecs:us-west-2:111122223333:service/default/servicetest')).toEqual({ cluster: 'default', service: 'servicetest' });
    expect(serviceFromArn('arn:aws:ecs:us-west-2:111122223333:service/servicetest')).toEqual({ service: 'servicetest' });
  });
});
