/**
 * The three guided scenarios of the Learn view: what to run, what to look at, and the paper's
 * reference values (docs/method.md §6), always labelled as the paper's and never as what this page measures.
 */
import type { ScenarioId } from '../../train/presets';
import { methodReference } from '../method-sections';

const PAPER = methodReference('paperValues');

export interface ScenarioText {
  id: ScenarioId;
  title: string;
  /** what to do and what to watch, one paragraph each */
  paragraphs: string[];
  /** the paper's numbers for orientation (docs/method.md §6) */
  paperReference: string;
}

export const SCENARIOS: ScenarioText[] = [
  {
    id: 'lazy-vs-rich',
    title: '1. Lazy or rich: output scale α and last-layer-only training',
    paragraphs: [
      'Train the same two-hidden-layer MLP (width 64) three ways on a Gaussian mixture: 4 classes, each a union of 4 clusters in 32 dimensions, so the raw inputs are not linearly separable. Run the three presets one after the other; their curves stay on the plots for comparison.',
      'Rich (α = 1, all layers): the penultimate features turn toward the few directions the outputs need, and D_LR falls within a few checkpoints. Lazy (α = 100, Chizat–Bach: the prediction is f = α(h − h₀), step size divided by α for Adam and α² for SGD): the network fits the same data while its weights barely move, as a kernel machine on its initial features, and D_LR stays high. D_LR compares the features with h, the final layer’s own output. Last layer only: the features are frozen at initialisation, lazy by construction.',
      'In the spectra, the rich run\u2019s cumulative utilization Π̂(k) reaches about 1 within the first three k (C − 1 = 3 for 4 classes) and its relative eigenvalues ρ_k/ρ₁ fall faster; the lazy runs spread the output over many k. The rich run also generalises best here (about 97% test against 94% and 81%), but that is this task, not a rule: scenario 3 shows a rich run that learns nothing useful.',
    ],
    paperReference: `Paper (MNIST MLP, ${PAPER}): full backprop D_LR 0.0087 (test 10.0%, a deliberately bad-generalising rich run) vs last layer only D_LR 0.63 (test 74.4%).`,
  },
  {
    id: 'grokking',
    title: '2. Grokking: D_LR (99% output energy) falls when the test accuracy jumps',
    paragraphs: [
      'Modular addition (a + b) mod 23 from one-hot operands, 70% of the 529 pairs for training. The weights start 3× larger than usual: the network memorises the training pairs within about 50 steps (train 100%, test near 0%) while its features barely organise. AdamW\u2019s weight decay then shrinks the weights until features form, and the test accuracy climbs from near 0 to above 90% between about steps 800 and 1400.',
      `Watch the dashed line, D_LR (99% output energy): D_LR over the output directions that hold 99% of the output variance. It falls from 0.2–0.4 during memorisation to below 0.1 after the jump: that is the transition. The solid line, D_LR over all output directions, does not show it cleanly: it is lowest while the test accuracy climbs, then creeps back up (with other seeds it can end no lower than just before the jump), because the grokked outputs keep about 10 strong directions and a dozen very weak ones (10⁻³ to 10⁻⁶ of the largest), which D_LR counts at full weight (${methodReference('outputRank')}; the warning below says when this happens). Compare with the preset without weight decay.`,
    ],
    paperReference: `Paper (mod-97 transformer, ${PAPER}): before grokking (step 200, test 5.2%) D_LR 0.51; after (step 3000, test 99.8%) D_LR 0.11.`,
  },
  {
    id: 'shuffled-labels',
    title: '3. Rich is not good: shuffled labels',
    paragraphs: [
      'Permute every training label (the test labels stay true) and train long with AdamW weight decay 1. The network can only memorise: train accuracy reaches 100% within a hundred steps, test accuracy stays at chance (25% for 4 classes). Then, as the weight decay prunes every feature direction the outputs do not use, the features collapse onto the (meaningless) classes and D_LR falls to about the level of the run on true labels.',
      'D_LR measures the training dynamics, not the quality of what was learned. What separates the two runs is the cumulative mass Π*(k), measured on the test split with true labels: with true labels the top few features carry the target, with shuffled ones they do not. The third preset memorises the same shuffled labels without weight decay: it stays lazy (D_LR high), so memorisation by itself is neither rich nor lazy.',
    ],
    paperReference: `Paper (CIFAR-10, ${PAPER}): true labels test 95.0%, D_LR 0.031; fully shuffled labels test 9.5%, D_LR 0.034.`,
  },
];
