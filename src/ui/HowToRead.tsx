/**
 * "How to read this": D_LR's scale with the paper's reference points, and what each curve says,
 * with links to the method's sections. The paper's values are orientation only, never what this
 * page measured (docs/method.md §6).
 */
import { MethodLink } from './MethodLink';

/** The paper's values (docs/method.md §6) placed on the D_LR scale. */
export const PAPER_POINTS: readonly { dlr: number; label: string; side: 'above' | 'below' }[] = [
  { dlr: 0.0087, label: 'MNIST MLP, full backprop (rich)', side: 'above' },
  { dlr: 0.073, label: 'VGG-16 with BatchNorm', side: 'below' },
  { dlr: 0.63, label: 'MNIST MLP, last layer only (lazy)', side: 'above' },
  { dlr: 0.66, label: 'VGG-16 without BatchNorm', side: 'below' },
];

function DlrScale() {
  const width = 260;
  const x = (dlr: number) => 8 + dlr * (width - 16);
  return (
    <figure className="dlr-scale">
      <svg
        viewBox={`0 0 ${width} 78`}
        width="100%"
        role="img"
        aria-label="D_LR scale from 0 (rich) to 1 (lazy) with the paper's reference values"
      >
        <defs>
          <linearGradient id="dlr-scale-gradient">
            <stop offset="0" stopColor="#009E73" />
            <stop offset="1" stopColor="#D55E00" />
          </linearGradient>
        </defs>
        <rect x={8} y={28} width={width - 16} height={8} rx={4} fill="url(#dlr-scale-gradient)" />
        {PAPER_POINTS.map((p) => (
          <g key={p.label}>
            <line x1={x(p.dlr)} x2={x(p.dlr)} y1={24} y2={40} stroke="currentColor" strokeWidth={1.5} />
            <text
              x={x(p.dlr)}
              y={p.side === 'above' ? 18 : 54}
              fontSize={10}
              textAnchor={p.dlr < 0.05 ? 'start' : p.dlr > 0.64 ? 'start' : 'middle'}
              fill="currentColor"
            >
              {p.dlr}
            </text>
          </g>
        ))}
        <text x={8} y={74} fontSize={10} fill="currentColor">
          0 rich
        </text>
        <text x={width - 8} y={74} fontSize={10} textAnchor="end" fill="currentColor">
          1 lazy
        </text>
      </svg>
      <figcaption className="hint">
        The paper&apos;s values (not measured here):{' '}
        {PAPER_POINTS.map((p, i) => (
          <span key={p.label}>
            {i > 0 && '; '}
            {p.label} {p.dlr}
          </span>
        ))}
        .
      </figcaption>
    </figure>
  );
}

export function HowToRead() {
  return (
    <section className="panel how-to-read" aria-labelledby="how-to-read-heading" data-testid="how-to-read">
      <details open>
        <summary>
          <h2 id="how-to-read-heading">How to read this</h2>
        </summary>
        <p>
          <strong>D_LR</strong> measures how far the features are from spanning just the directions the
          outputs use: <strong>0 = rich</strong> (the features collapsed onto them), <strong>1 = lazy</strong>{' '}
          (they stayed as they started) (<MethodLink section="dlr" />
          ).
        </p>
        <DlrScale />
        <ul className="reading-list">
          <li>
            <strong>D_LR over training</strong> falls while a network learns features; a lazy run stays high.
            Dotted: test accuracy. Rich is not the same as good (<MethodLink section="paperValues" />
            ).
          </li>
          <li>
            <strong>D_LR (99% output energy)</strong> counts only the strong output directions: when it
            differs from D_LR by more than 0.1, weak directions drive D_LR (
            <MethodLink section="outputRank" />
            ).
          </li>
          <li>
            <strong>Π̂(k)</strong>: how much of the output the top k features carry; a rich run reaches 1
            within a few k. <strong>Π*(k)</strong>: how much of the labels they carry.{' '}
            <strong>ρ_k / ρ_1</strong>: how fast the feature strengths fall (
            <MethodLink section="spectra" />
            ).
          </li>
        </ul>
      </details>
    </section>
  );
}
