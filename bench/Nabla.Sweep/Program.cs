using System.Diagnostics;
using Nabla.Tests.Properties;

// The large random-expression sweep: `dotnet run -c Release --project bench/Nabla.Sweep -- [count] [first-seed]`.
// Blocks of 1,000 expressions run on all cores; the report adds them up and lists the first failures of each block.
int count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
int first = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
const int block = 1000;
int blocks = (count + block - 1) / block;
var reports = new SweepReport[blocks];
var clock = Stopwatch.StartNew();
int done = 0;
Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, b =>
{
    reports[b] = Sweep.Run(first + b * block, Math.Min(block, count - b * block));
    int k = Interlocked.Increment(ref done);
    if (k % 10 == 0) Console.Error.WriteLine($"{k}/{blocks} blocks, {clock.Elapsed.TotalSeconds:0} s");
});
var total = new SweepReport();
foreach (var r in reports)
{
    total.Cases += r.Cases; total.Passed += r.Passed; total.Mismatches += r.Mismatches; total.InternalErrors += r.InternalErrors;
    total.Refusals += r.Refusals; total.UndefinedAtPoint += r.UndefinedAtPoint; total.RoundTripFailures += r.RoundTripFailures;
    total.Inconclusive += r.Inconclusive; total.OverBudget += r.OverBudget;
    foreach (var f in r.Failures) total.Fail(f[..Math.Max(0, f.IndexOf(':'))], f);
}
Console.WriteLine($"# Random-expression sweep: {count:N0} expressions (seeds {first:N0}…{first + count - 1:N0})");
Console.WriteLine();
Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {clock.Elapsed.TotalSeconds:0} s.");
Console.WriteLine();
Console.WriteLine("```");
Console.Write(total.ToString());
Console.WriteLine("```");
return total.Mismatches + total.InternalErrors + total.RoundTripFailures == 0 ? 0 : 1;
