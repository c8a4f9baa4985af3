/** The header line of a page `richscope serve LOGDIR` serves: which folder it follows, and whether live. */
import { useSyncExternalStore } from 'react';
import { getLogdirStatus, subscribeLogdirStatus } from '../state/logdir-follow';

export function LogdirStatus() {
  const status = useSyncExternalStore(subscribeLogdirStatus, getLogdirStatus);
  if (status === null) return null;
  const files = `${status.files} file${status.files === 1 ? '' : 's'}`;
  const text =
    status.connection === 'connecting'
      ? `Connecting to richscope serve for ${status.name}/…`
      : status.connection === 'lost'
        ? `Lost the connection to richscope serve (${status.name}/); retrying…`
        : `Following ${status.name}/ live: ${files}` +
          (status.loading > 0 ? `, loading ${status.loading}` : '');
  return (
    <p className="privacy" role="status" data-testid="logdir-status" data-connection={status.connection}>
      {text}
    </p>
  );
}
