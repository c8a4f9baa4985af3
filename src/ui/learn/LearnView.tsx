/** Teaching mode (route #/learn): train a tiny network in a worker and watch D_LR. */
export default function LearnView() {
  return (
    <section data-testid="trainer" data-checkpoints="0" data-last-dlr="">
      <h2>Learn: watch a network go rich or lazy</h2>
      <p>Loading the trainer…</p>
    </section>
  );
}
