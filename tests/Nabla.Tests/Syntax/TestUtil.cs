using Nabla.Diagnostics;
using Nabla.Semantics;

namespace Nabla.Tests.Syntax;

internal static class TestUtil
{
    /// <summary>"A:matrix(m,n);x:vector" → declarations.</summary>
    public static BindOptions Options(string decls, bool preferScalar = false)
    {
        var d = new Dictionary<string, VarType>();
        foreach (var part in decls.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = part.IndexOf(':');
            d[part[..colon].Trim()] = VarType.Parse(part[(colon + 1)..]);
        }
        return new BindOptions { Declarations = d, PreferScalar = preferScalar };
    }

    public static BoundExpression Bind(string text, string decls = "", bool preferScalar = false) =>
        Binder.Bind(text, Options(decls, preferScalar));

    public static Diagnostic Error(string text, string decls = "", bool preferScalar = false)
    {
        var e = Assert.Throws<NablaException>(() => Binder.Bind(text, Options(decls, preferScalar)));
        return e.Diagnostic;
    }
}
