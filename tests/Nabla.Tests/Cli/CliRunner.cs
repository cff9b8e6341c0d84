using Nabla.Cli;

namespace Nabla.Tests.Cli;

/// <summary>Runs the `nabla` command line in-process, capturing its exit code and both output streams.</summary>
internal static class CliRunner
{
    public static (int Rc, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int rc = Commands.Run(args, o, e);
        return (rc, o.ToString(), e.ToString());
    }
}
