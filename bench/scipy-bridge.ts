/**
 * The Python side of the benchmarks' scipy bridge: starts the evaluation server (this
 * package's `bench/solvers.js --serve`, command in cfg['server']) and asks it for values and
 * derivatives, one line per request (`ask`), vectors as space-separated reprs (`vec`).
 * Shared by bench/solvers.ts (minimize) and bench/leastsq.ts (least_squares).
 */
export const PIPE_PRELUDE = String.raw`
srv = subprocess.Popen(cfg['server'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

def ask(line):
    srv.stdin.write(line + '\n')
    srv.stdin.flush()
    reply = srv.stdout.readline()
    if reply.startswith('error'):
        raise RuntimeError(reply)
    return reply

def vec(x):
    return ' '.join(repr(float(v)) for v in np.ravel(x))
`;
