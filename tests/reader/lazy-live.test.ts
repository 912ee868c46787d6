import { describe, expect, it, vi } from 'vitest';
import { lazyLiveReader } from '../../shared/reader/lazy-live';
import { liveReader } from '../../shared/reader/live';

vi.mock('../../shared/reader/live', () => ({
  liveReader: vi.fn(() => ({ read: async (operation: string, input: unknown) => ({ operation, input }) })),
}));

describe('lazyLiveReader', () => {
  it('creates the live reader on the first read, with its options, and keeps it for the next reads', async () => {
    const reader = lazyLiveReader({ region: 'eu-west-1', timeoutMs: 50 });
    expect(liveReader).not.toHaveBeenCalled();

    const answers = await Promise.all([
      reader.read('ecs:DescribeServices', { services: ['web'] }),
      reader.read('ecs:ListTasks', { cluster: 'prod' }),
    ]);
    await reader.read('ecs:DescribeServices', { services: ['api'] });

    expect(answers).toEqual([
      { operation: 'ecs:DescribeServices', input: { services: ['web'] } },
      { operation: 'ecs:ListTasks', input: { cluster: 'prod' } },
    ]);
    expect(liveReader).toHaveBeenCalledTimes(1);
    expect(liveReader).toHaveBeenCalledWith({ region: 'eu-west-1', timeoutMs: 50 });
  });
});
