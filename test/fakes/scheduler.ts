import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  type DeleteScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import type { SchedulerSender } from '../../shared/kit/saga/scheduler-timers.ts';

/** An error shaped as the SDK throws it: what adapters tell apart is its `name`. */
export function awsError(name: string): Error {
  const error = new Error(`simulated ${name}`);
  error.name = name;
  return error;
}

/**
 * EventBridge Scheduler as far as the timer adapter uses it: schedules by group and name, a second
 * create of the same name refused with ConflictException, a delete of an absent one with
 * ResourceNotFoundException, as the service answers. `failWith` makes the next call throw that error.
 */
export class FakeScheduler implements SchedulerSender {
  readonly schedules = new Map<string, CreateScheduleCommandInput>();
  readonly created: CreateScheduleCommandInput[] = [];
  readonly deleted: DeleteScheduleCommandInput[] = [];
  failWith: Error | undefined;

  async send(command: CreateScheduleCommand | DeleteScheduleCommand): Promise<unknown> {
    const failure = this.failWith;
    this.failWith = undefined;
    if (failure) throw failure;
    const key = `${command.input.GroupName}/${command.input.Name}`;
    if (command instanceof CreateScheduleCommand) {
      if (this.schedules.has(key)) throw awsError('ConflictException');
      this.schedules.set(key, command.input);
      this.created.push(command.input);
      return { ScheduleArn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${key}` };
    }
    if (command instanceof DeleteScheduleCommand) {
      this.deleted.push(command.input);
      if (!this.schedules.delete(key)) throw awsError('ResourceNotFoundException');
      return {};
    }
    throw new Error('unexpected command');
  }
}
