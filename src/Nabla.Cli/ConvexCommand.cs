using System.CommandLine;
using System.Text.Json.Nodes;
using Nabla.Convexity;
using Nabla.Protocol;
using Nabla.Semantics;

namespace Nabla.Cli;

/// <summary>`nabla convex "expr" --wrt w`: the convexity verdict from the Hessian, with its certificate or a witness. Exit 0 with a verdict (unknown included), 1 bad input, 2 bad command line.</summary>
public static class ConvexCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Option<string[]> vars, Argument<string> exprArg,
        Func<string[]?, Dictionary<string, VarType>> declarations, Func<string, TextWriter, Func<int>, int> guard)
    {
        var wrt = new Option<string[]>("--wrt") { Description = "The variable in which convexity is asked; repeat it for several jointly (their block Hessian).", Required = true, Arity = ArgumentArity.OneOrMore };
        var seed = new Option<int>("--seed") { Description = "The seed of the search for a witness of non-convexity (default 1).", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the answer as one JSON object: verdict, wrt, hessian, steps, witness." };
        var cmd = new Command("convex", "Is a scalar expression convex in a variable? A certificate from the Hessian Nabla derives, or a witness point and direction of negative curvature, checked by finite differences.")
        {
            exprArg, wrt, vars, seed, json,
        };
        cmd.SetAction(p =>
        {
            string text = p.GetValue(exprArg)!;
            return guard(text, stderr, () =>
            {
                var decl = declarations(p.GetValue(vars));
                var bound = Binder.Bind(text, new BindOptions { Declarations = decl, PreferScalar = true });
                var xs = p.GetValue(wrt)!.Select(name => bound.Variable(name)
                    ?? throw new Diagnostics.NablaException(Diagnostics.ErrorCodes.BadRequest, $"{name} is not a variable of {text}")).ToList();
                var r = ConvexityAnalysis.AnalyzeJointly(bound.Root, xs, bound.Variables, p.GetValue(seed), decl);
                if (p.GetValue(json)) { stdout.WriteLine(RequestHandler.Serialize(Json(r))); return 0; }
                stdout.WriteLine($"{text}: {r.VerdictText} in {r.Wrt}");
                foreach (var s in r.Steps) stdout.WriteLine($"  {s}");
                if (r.Witness is { } w)
                {
                    stdout.WriteLine("  witness:");
                    foreach (var (name, t) in w.At) stdout.WriteLine($"    at {name} = {JsonValues.ToJson(t).ToJsonString()}");
                    foreach (var (name, t) in w.Direction) stdout.WriteLine($"    direction d{name} = {JsonValues.ToJson(t).ToJsonString()}");
                }
                return 0;
            });
        });
        return cmd;
    }

    public static JsonObject Json(ConvexityResult r) => RequestHandler.ConvexityJson(r);
}
