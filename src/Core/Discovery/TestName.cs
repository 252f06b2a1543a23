namespace BatchBuild.Core.Discovery;

/// <summary>Reads the parts of a fully qualified test name.</summary>
public static class TestName
{
    /// <summary>
    /// The class of a test named <c>Namespace.Class.Method(arguments)</c>: everything before the
    /// last dot that lies outside parentheses, brackets and generic arguments, so that
    /// <c>Ns.C.M("a.b")</c> and <c>Ns.G&lt;System.Int32&gt;.M</c> give <c>Ns.C</c> and <c>Ns.G&lt;System.Int32&gt;</c>.
    /// A name without such a dot is its own class.
    /// </summary>
    public static string ClassOf(string fullyQualifiedName)
    {
        var depth = 0;
        var lastDot = -1;
        var inQuotes = false;
        for (var i = 0; i < fullyQualifiedName.Length; i++)
        {
            var c = fullyQualifiedName[i];
            if (inQuotes)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }

                continue;
            }

            switch (c)
            {
                case '"' when depth > 0:
                    inQuotes = true;
                    break;
                case '(' or '[' or '<':
                    depth++;
                    break;
                case ')' or ']' or '>':
                    depth = Math.Max(0, depth - 1);
                    break;
                case '.' when depth == 0:
                    lastDot = i;
                    break;
            }
        }

        return lastDot > 0 ? fullyQualifiedName[..lastDot] : fullyQualifiedName;
    }
}
