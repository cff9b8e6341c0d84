using Nabla.Checking;
using Nabla.Calculus;
using System.CommandLine;
using Nabla.Api;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Protocol;
using Nabla.Semantics;
using Nabla.LinearAlgebra;

namespace Nabla.Cli;

/// <summary>The `nabla` command line. Exit codes: 0 ok, 1 the input is wrong, 2 the command line is wrong.</summary>
public static class Commands
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        // A named root (not RootCommand, which takes the executable's file name) so that help says "nabla".
        var root = new Command("nabla", "Nabla: matrix calculus — gradients, Jacobians and Hessians of matrix expressions in matrix form.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
        };
        root.Subcommands.Add(CheckCommand(stdout, stderr));
        root.Subcommands.Add(DeriveCommand("grad", "Print the gradient of a scalar expression.", DerivativeKind.Gradient, stdout, stderr));
        root.Subcommands.Add(DeriveCommand("jac", "Print the Jacobian of an expression.", DerivativeKind.Jacobian, stdout, stderr));
        root.Subcommands.Add(DeriveCommand("hess", "Print the Hessian of a scalar expression.", DerivativeKind.Hessian, stdout, stderr));
        root.Subcommands.Add(JsonlCommand(stdout));
        root.Subcommands.Add(ServeCommand.Create(stdout, stderr));
        root.Subcommands.Add(RegressCommand.Create(stdout, stderr));
        root.Subcommands.Add(FitCommand.Create(stdout, stderr));
        root.Subcommands.Add(GlmCommand.Create(stdout, stderr));
        root.Subcommands.Add(ConvexCommand.Create(stdout, stderr, VarOption(), ExprArg, Declarations, Guard));
        root.Subcommands.Add(InfoCommand.Create(stdout));
        root.Subcommands.Add(CompleteCommand(root, stdout));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One message for one mistake: an unknown word explains itself; the missing command it implies does not.
            var errors = parse.Errors.Any(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal))
                ? parse.Errors.Where(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) : parse.Errors;
            foreach (var e in errors) stderr.WriteLine($"nabla: {e.Message}");
            stderr.WriteLine("Run 'nabla --help' for the commands and their options.");
            return 2;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private static readonly Argument<string> ExprArg = new("expr") { Description = "The expression, e.g. \"x'*A*x\" (quote it for the shell)." };

    private static Option<string[]> VarOption() => new("--var")
    {
        Description = "Declare a variable, name:type (scalar, vector, vector(n), matrix, matrix(m,n), symmetric, symmetric(n)). Repeatable.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static Command CheckCommand(TextWriter stdout, TextWriter stderr)
    {
        var vars = VarOption();
        var json = JsonOption();
        var cmd = new Command("check", "Parse and type-check an expression: its type, shape and the type of each variable.") { ExprArg, vars, json };
        cmd.SetAction(p =>
        {
            string text = p.GetValue(ExprArg)!;
            if (p.GetValue(json)) return Guard(text, stderr, () => ProtocolAnswer(text, p.GetValue(vars), null, null, null, false, stdout));
            return Guard(text, stderr, () =>
            {
                var bound = Binder.Bind(text, new BindOptions { Declarations = Declarations(p.GetValue(vars)) });
                stdout.WriteLine(TextPrinter.Print(bound.Root));
                stdout.WriteLine($"  type:  {bound.Root.Shape.TypeName}");
                stdout.WriteLine($"  shape: {bound.Root.Shape}");
                WriteVariables(stdout, bound);
                return 0;
            });
        });
        return cmd;
    }

    private static void WriteVariables(TextWriter stdout, BoundExpression bound)
    {
        if (bound.Variables.Count == 0) return;
        stdout.WriteLine("variables:");
        int w = bound.Variables.Max(v => v.Name.Length);
        foreach (var v in bound.Variables)
        {
            string type = v.Symmetric ? $"symmetric({v.Shape.Rows})" : v.Shape.ToString();
            string origin = bound.Origins[v.Name] switch
            {
                TypeOrigin.Declared => "declared",
                TypeOrigin.Value => "from its value",
                TypeOrigin.Convention => "naming convention",
                _ => "inferred from use",
            };
            stdout.WriteLine($"  {v.Name.PadRight(w)}  {type,-16} ({origin})");
        }
    }

    private static Command DeriveCommand(string name, string description, DerivativeKind kind, TextWriter stdout, TextWriter stderr)
    {
        var vars = VarOption();
        var wrt = new Option<string[]>("--wrt") { Description = "The variable to differentiate by. Repeatable.", Arity = ArgumentArity.OneOrMore, Required = true };
        var latex = new Option<bool>("--latex") { Description = "Also print LaTeX." };
        var at = new Option<FileInfo?>("--at") { Description = "A JSON file of values, {\"x\": [1,2], \"A\": [[1,2],[3,4]]}: print the values too." };
        var check = new Option<bool>("--check") { Description = "Compare with central finite differences at random points and print the largest relative error." };
        var steps = new Option<bool>("--steps") { Description = "Show the derivation step by step (the matrix-differential method); with --latex as an align* block." };
        var expanded = new Option<bool>("--expanded") { Description = "Print the result written out, without naming its repeated subexpressions (\"… where t0 = …\")." };
        var emit = new Option<string[]>("--emit") { Description = "Print a module that computes the value and the derivatives: numpy, torch or matlab (Octave). Repeatable.", Arity = ArgumentArity.OneOrMore };
        emit.AcceptOnlyFromAmong([.. Codegen.CodeTarget.Names]);
        var emitTo = new Option<DirectoryInfo?>("--emit-to") { Description = "Write the --emit modules into this folder (f.py, f_torch.py, f.m) instead of printing them." };
        var function = new Option<string>("--function") { Description = "The generated function's name (default f).", DefaultValueFactory = _ => "f" };
        var json = JsonOption();
        var cmd = new Command(name, description) { ExprArg, wrt, vars, latex, at, check, steps, expanded, emit, emitTo, function, json };
        cmd.SetAction(p =>
        {
            string text = p.GetValue(ExprArg)!;
            if (p.GetValue(json) && p.GetValue(check))
            {
                stderr.WriteLine("nabla: --check prints a text report; it does not go with --json (the web API's /api/check answers in JSON)");
                return 2;
            }
            if (p.GetValue(json))
                return Guard(text, stderr, () => ProtocolAnswer(text, p.GetValue(vars), p.GetValue(wrt), Derivatives.KindName(kind),
                    p.GetValue(at), p.GetValue(steps), stdout));
            return Guard(text, stderr, () =>
            {
                var declarations = Declarations(p.GetValue(vars));
                Dictionary<string, Tensor>? values = null;
                if (p.GetValue(at) is { } file)
                {
                    values = JsonValues.ParseValues(ReadValuesFile(file));
                    foreach (var (name, t) in values)
                        if (declarations.TryGetValue(name, out var type)) type.CheckValue(name, t); // (v1.4) the declared domains
                }
                var options = new BindOptions
                {
                    Declarations = declarations,
                    ConcreteShapes = values?.ToDictionary(kv => kv.Key, kv => JsonValues.ShapeOf(kv.Value)) ?? [],
                    PreferScalar = kind != DerivativeKind.Jacobian,
                };
                var bound = Binder.Bind(text, options);
                Evaluator? evaluator = values is null ? null : new Evaluator(values, bound.Variables);
                if (evaluator is not null) stdout.WriteLine($"value = {Format(evaluator.Evaluate(bound.Root))}");
                int rc = 0;
                var targets = p.GetValue(emit) ?? [];
                string fn = p.GetValue(function)!;
                if (targets.Length > 0 && !IsName(fn))
                    throw new NablaException(ErrorCodes.BadRequest, $"--function {fn}: the name must be a letter followed by letters, digits or '_'");
                if (p.GetValue(emitTo) is not null && targets.Length == 0)
                    throw new NablaException(ErrorCodes.BadRequest, "--emit-to needs --emit numpy|torch|matlab|csharp");
                if (targets.Length > 0 && p.GetValue(emitTo) is null)
                {
                    // The modules alone, so that `nabla grad … --emit numpy > f.py` is a module.
                    var all = p.GetValue(wrt)!.Select(w => Derivation.WrtVariable(bound, w, options))
                        .Select(x => (x, Derivation.Compute(bound.Root, x, kind))).ToList();
                    foreach (var t in targets.Distinct())
                        stdout.Write(Derivation.EmitCode(t, text, bound, all, fn));
                    return 0;
                }
                var emitted = new List<(Var, DerivativeResult)>();
                foreach (var w in p.GetValue(wrt)!)
                {
                    var x = Derivation.WrtVariable(bound, w, options);
                    var d = Derivation.Compute(bound.Root, x, kind, steps: p.GetValue(steps));
                    emitted.Add((x, d));
                    if (d.Steps is { } ex)
                    {
                        stdout.WriteLine(p.GetValue(latex) ? ex.ToLatex() : ex.ToText());
                        stdout.WriteLine();
                    }
                    string label = kind switch { DerivativeKind.Gradient => $"∇_{w}", DerivativeKind.Jacobian => $"J_{w}", _ => $"H_{w}" };
                    if (d.Index is { } index)
                    {
                        stdout.WriteLine($"{label}[{string.Join(",", index.Free)}] = {index.ToText()}");
                        if (index.Kron() is { } kron) stdout.WriteLine($"  vec form (vec stacks columns; K is the commutation matrix): {kron}");
                        if (p.GetValue(latex)) stdout.WriteLine($"latex: {d.Latex}");
                        if (evaluator is not null)
                            stdout.WriteLine($"  at the given values (row-major over {string.Join(",", index.Free)}): " +
                                $"[{string.Join(", ", index.Evaluate(evaluator, evaluator.SizeOf).Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}]");
                    }
                    else
                    {
                        bool factored = !p.GetValue(expanded) && d.Display != d.Text;
                        stdout.WriteLine($"{label} = {(factored ? d.Display : d.Text)}");
                        if (p.GetValue(latex)) stdout.WriteLine($"latex: {(factored ? d.Factored!.Latex() : d.Latex)}");
                        if (evaluator is not null) stdout.WriteLine($"  at the given values: {Format(evaluator.Evaluate(d.Result!))}");
                    }
                    if (p.GetValue(check))
                    {
                        var report = d.Index is { } ix
                            ? Checking.GradientCheck.CheckIndex(bound.Root, x, ix, kind, bound.Variables)
                            : Checking.GradientCheck.Check(bound.Root, x, d.Result!, kind, bound.Variables);
                        stdout.WriteLine($"  check: largest relative error {report.MaxRelativeError:E2} over {report.Trials} random points{(report.Directional ? ", " + report.Method : "")} ({report.Verdict})");
                        if (!report.Passed) rc = 1;
                    }
                }
                if (p.GetValue(emitTo) is { } dir)
                    foreach (var t in targets.Distinct())
                        WriteModule(dir, fn, t, Derivation.EmitCode(t, text, bound, emitted, fn), stdout);
                WriteConventionNote(bound.Variables, declarations, options.ConcreteShapes.Keys, stdout);
                return rc;
            });
        });
        return cmd;
    }

    /// <summary>Writes a generated module whole (a temporary file renamed over the old one) and says where, and whether it replaced one.</summary>
    private static void WriteModule(DirectoryInfo dir, string fn, string target, string code, TextWriter stdout)
    {
        string file = target switch { "numpy" => fn + ".py", "torch" => fn + "_torch.py", "csharp" => fn + ".cs", _ => fn + ".m" };
        if (File.Exists(dir.FullName))
            throw new NablaException(ErrorCodes.BadRequest, $"--emit-to {dir}: that is a file, not a folder");
        try
        {
            Directory.CreateDirectory(dir.FullName);
            string path = Path.Combine(dir.FullName, file);
            bool existed = File.Exists(path);
            string tmp = path + ".tmp-" + Environment.ProcessId;
            File.WriteAllText(tmp, code);
            File.Move(tmp, path, overwrite: true);
            stdout.WriteLine($"  wrote {Path.Combine(dir.ToString(), file)}{(existed ? " (replacing the file that was there)" : "")}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NablaException(ErrorCodes.BadRequest, $"cannot write {file} in {dir}: {e.Message}");
        }
    }

    /// <summary>
    /// Says how the variables that were neither declared nor given values were typed (by the naming convention and
    /// the shapes around them), and how to type one otherwise: `b` in sum(tanh(W*x+b)) is a scalar unless declared.
    /// </summary>
    private static void WriteConventionNote(IEnumerable<Var> variables, IReadOnlyDictionary<string, VarType> declared,
        IEnumerable<string> valued, TextWriter stdout)
    {
        var given = valued.ToHashSet();
        var typed = variables.Where(v => !declared.ContainsKey(v.Name) && !given.Contains(v.Name)).OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        if (typed.Count == 0) return;
        static string Kind(Var v) => v.Symmetric ? "symmetric" : v.Shape.Kind.ToString().ToLowerInvariant();
        static string Other(Var v) => v.Symmetric ? "matrix(n,n)" : v.Shape.Kind switch
        {
            ShapeKind.Scalar => "vector(n)",
            ShapeKind.Vector => "scalar",
            _ => "symmetric(n)",
        };
        var example = typed.FirstOrDefault(v => v.Shape.IsScalar) ?? typed[0]; // a scalar is the likeliest surprise
        stdout.WriteLine($"  typed without a declaration (by the naming convention and their use): {string.Join(", ", typed.Select(v => $"{v.Name} {Kind(v)}"))};" +
            $" declare otherwise with --var, e.g. --var {example.Name}:{Other(example)}");
    }

    /// <summary>`nabla complete "grad --w"`: the completions System.CommandLine offers at the end of a partial command line, one a line (for shell completion scripts).</summary>
    private static Command CompleteCommand(Command root, TextWriter stdout)
    {
        var line = new Argument<string>("line") { Description = "The command line typed so far, without 'nabla'.", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("complete", "Print completions for a partial command line (for shell completion scripts).") { line };
        cmd.Hidden = true;
        cmd.SetAction(p =>
        {
            string text = p.GetValue(line) ?? "";
            // An option being typed (--l) completes among the command's options, even after a repeatable option's
            // values (grad x --wrt x --l), which System.CommandLine would offer as another value.
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 2 && !text.EndsWith(' ') && words[^1].StartsWith('-')
                && root.Subcommands.FirstOrDefault(c => c.Name == words[0]) is { } sub)
            {
                foreach (var name in sub.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith(words[^1], StringComparison.Ordinal)).Distinct().Order())
                    stdout.WriteLine(name);
                return 0;
            }
            var result = root.Parse(text);
            foreach (var c in result.GetCompletions(text.Length)) stdout.WriteLine(c.Label);
            return 0;
        });
        return cmd;
    }

    private static Command JsonlCommand(TextWriter stdout)
    {
        var cmd = new Command("jsonl", "Read JSON Lines requests on standard input; write one response line each (docs/language.md, section 5).");
        cmd.SetAction(_ =>
        {
            var reader = new LineReader(Console.In, RequestHandler.MaxLineLength);
            while (reader.Next() is var (line, tooLong))
            {
                if (line is null) stdout.WriteLine(RequestHandler.TooLong(tooLong));
                else if (string.IsNullOrWhiteSpace(line)) continue;
                else stdout.WriteLine(RequestHandler.HandleLine(line));
                stdout.Flush();
            }
            return 0;
        });
        return cmd;
    }

    private static Option<bool> JsonOption() => new("--json")
    {
        Description = "Print the JSON Lines protocol's response object (docs/language.md, section 5) instead of the text, for scripts.",
    };

    /// <summary>
    /// The answer as the protocol gives it: the command line's arguments become a request (expr, vars, wrt, derivative,
    /// at, steps) for the one handler that jsonl and the web use; exit 0 when it is ok, 1 when it is an error.
    /// </summary>
    private static int ProtocolAnswer(string text, string[]? vars, string[]? wrt, string? derivative, FileInfo? at, bool steps, TextWriter stdout)
    {
        var request = new System.Text.Json.Nodes.JsonObject { ["expr"] = text };
        var declarations = Declarations(vars);
        if (declarations.Count > 0)
        {
            var v = new System.Text.Json.Nodes.JsonObject();
            foreach (var (name, type) in declarations) v[name] = type.ToString();
            request["vars"] = v;
        }
        if (wrt is { Length: > 0 }) request["wrt"] = new System.Text.Json.Nodes.JsonArray(wrt.Select(w => (System.Text.Json.Nodes.JsonNode?)w).ToArray());
        if (derivative is not null) request["derivative"] = derivative;
        if (at is not null) request["at"] = System.Text.Json.Nodes.JsonNode.Parse(ReadValuesFile(at));
        if (steps) request["steps"] = true;
        var response = RequestHandler.Handle(request, TimeLimit);
        stdout.WriteLine(RequestHandler.Serialize(response));
        return (bool)response["ok"]! ? 0 : 1;
    }

    /// <summary>A mistake on the command line itself (exit 2), not in the expression or the data.</summary>
    private sealed class UsageException(string message) : Exception(message);

    private static Dictionary<string, VarType> Declarations(string[]? specs)
    {
        var result = new Dictionary<string, VarType>();
        foreach (var s in specs ?? [])
        {
            int colon = s.IndexOf(':');
            if (colon <= 0) throw new UsageException($"--var '{s}' must be name:type, e.g. A:symmetric");
            var name = s[..colon].Trim();
            if (!IsName(name))
                throw new UsageException($"--var '{s}': '{name}' is not a name (a letter, then letters, digits or _)");
            VarType type;
            try { type = VarType.Parse(s[(colon + 1)..]); }
            catch (NablaException e) { throw new UsageException($"--var '{s}': {e.Diagnostic.Message}"); }
            if (result.TryGetValue(name, out var before) && before != type)
                throw new UsageException($"--var declares {name} twice, as {before} and as {type}");
            result[name] = type;
        }
        return result;
    }

    private static bool IsName(string s) =>
        s.Length > 0 && char.IsAsciiLetter(s[0]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>The largest values file read (--at): a bigger one, or a device that never ends, is refused.</summary>
    public const long MaxValuesFile = 64L << 20;

    private static string ReadValuesFile(FileInfo file)
    {
        if (Directory.Exists(file.FullName)) throw new UsageException($"--at '{file.FullName}' is a folder, not a JSON file of values");
        if (!file.Exists) throw new NablaException(ErrorCodes.BadRequest, $"the values file '{file.FullName}' does not exist");
        using var stream = File.OpenRead(file.FullName);
        var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > MaxValuesFile)
                throw new NablaException(ErrorCodes.LimitExceeded, $"the values file '{file.FullName}' is over {MaxValuesFile >> 20} MiB");
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Format(Tensor t)
    {
        string F(double v) => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
        return t.Kind switch
        {
            ShapeKind.Scalar => F(t.Data[0]),
            ShapeKind.Vector => "[" + string.Join(", ", t.Data.Select(F)) + "]",
            _ => "[" + string.Join(", ", Enumerable.Range(0, t.Rows).Select(i => "[" + string.Join(", ", Enumerable.Range(0, t.Cols).Select(j => F(t[i, j]))) + "]")) + "]",
        };
    }

    /// <summary>The time budget of one command's symbolic work (cooperative: past it, limit_exceeded).</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(60);

    /// <summary>Runs a command body; input errors print the expression with a caret line and return 1.</summary>
    private static int Guard(string text, TextWriter stderr, Func<int> body)
    {
        using var budget = Budget.Start(TimeLimit);
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"nabla: {e.Message}");
            return 2;
        }
        catch (Exception e) when (NablaException.Find(e) is { } d)
        {
            stderr.Write(FormatError(text, d));
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of Nabla's: one line that says so (exit 3), never a stack trace.
            stderr.Write(FormatError(text, Protocol.RequestHandler.InternalError(e)));
            if (Environment.GetEnvironmentVariable("NABLA_TRACE") is "1") stderr.WriteLine(e);
            return 3;
        }
    }

    public static string FormatError(string text, Diagnostic d)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"error[{d.Code}]: {d.Message}");
        if (d.Span is { } s && text.Length <= 200 && !text.Contains('\n'))
        {
            sb.AppendLine("  " + text);
            int len = Math.Max(1, s.Length);
            sb.AppendLine("  " + new string(' ', s.Start) + new string('^', len));
        }
        else if (d.Span is { } s2) sb.AppendLine($"  at characters {s2.Start}..{s2.End}");
        return sb.ToString();
    }
}
