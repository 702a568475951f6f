/**
 * For tests: counts the event loop's turns. `turn()` goes up once in each check phase from the
 * first after `countTurns()` until `stop()`.
 */
export function countTurns() {
  let turn = 0;
  let ticking = true;
  const tick = () => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    turn: () => turn,
    stop: () => {
      ticking = false;
    },
  };
}
