import { stopRemembered } from './containers';

/** Stops the containers global setup started; the local processes are left running. */
export default async function globalTeardown(): Promise<void> {
  await stopRemembered();
}
