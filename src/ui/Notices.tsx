/** Problems not tied to one run (a broken results bundle, examples that failed to load). */
import { richscope, useRichscope } from '../state/store';

export function Notices() {
  const notices = useRichscope((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <div className="notices">
      {notices.map((notice, index) => (
        <div key={`${notice}-${index}`} role="alert" className="error">
          {notice}
          <button type="button" aria-label="Dismiss" onClick={() => richscope.dismissNotice(index)}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
