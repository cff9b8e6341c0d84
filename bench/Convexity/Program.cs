// How long a convexity verdict takes (issue "Convexity certificates": milliseconds for the seed's losses): for each
// loss, parse + bind + Hessian + certificate (or witness search) end to end, the first call in the process (cold, JIT
// included) and the median and 90th percentile of 200 calls after it. Prints a markdown table.
using System.Diagnostics;
using Nabla.Convexity;
using Nabla.Semantics;

(string Expr, string Wrt, string[] Vars)[] losses =
[
    ("(y-X*w)'*(y-X*w)", "w", ["X:matrix", "w:vector", "y:vector"]),
    ("norm2(X*w-y)^2 + 0.5*norm2(w)^2", "w", ["X:matrix", "w:vector", "y:vector"]),
    ("sum(softplus(X*w)) - y'*(X*w)", "w", ["X:matrix", "w:vector", "y:vector"]),
    ("log(1+exp(-y*(w'*x)))", "w", ["x:vector", "w:vector", "y:scalar"]),
    ("sum(exp(X*w)) - y'*(X*w)", "w", ["X:matrix", "w:vector", "y:vector"]),
    ("x'*A*x", "x", ["x:vector", "A:matrix"]),
    ("(x'*x)^2", "x", ["x:vector"]),
    ("x^4 - x^2", "x", ["x:scalar"]),
];

ConvexityResult Run(string e, string wrt, string[] vars)
{
    var decl = vars.ToDictionary(v => v[..v.IndexOf(':')], v => VarType.Parse(v[(v.IndexOf(':') + 1)..]));
    var bound = Binder.Bind(e, new BindOptions { Declarations = decl, PreferScalar = true });
    return ConvexityAnalysis.Analyze(bound.Root, bound.Variable(wrt)!, bound.Variables);
}

Console.WriteLine("| loss | wrt | verdict | first call ms | median ms | p90 ms |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var (e, wrt, vars) in losses)
{
    var sw = Stopwatch.StartNew();
    var r = Run(e, wrt, vars);
    double first = sw.Elapsed.TotalMilliseconds;
    var times = new List<double>();
    for (int i = 0; i < 200; i++)
    {
        sw.Restart();
        Run(e, wrt, vars);
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine($"| `{e}` | {wrt} | {r.VerdictText} | {first:F1} | {times[100]:F3} | {times[180]:F3} |");
}
