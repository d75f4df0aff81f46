using System.Collections;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ReferralNetwork.Tests.Helm;

/// <summary>
/// A small interpreter for the subset of Go templates and Sprig functions that the chart uses, so the
/// chart can be rendered and checked where no Helm binary is available. It follows Helm's semantics
/// where the chart depends on them (whitespace trimming, map ranges in key order, missing map keys
/// evaluate to nil and a field of nil is an error, <c>required</c>, <c>toYaml</c> of sorted maps)
/// and rejects anything it does not know (unknown functions, keywords, syntax) instead of guessing.
/// </summary>
internal sealed class MiniHelm
{
    private readonly Dictionary<string, List<Node>> _templates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object?> _chart;

    private MiniHelm(string chartName, Dictionary<string, object?> chart, IReadOnlyDictionary<string, string> templateFiles)
    {
        ChartName = chartName;
        _chart = chart;
        foreach (var (file, text) in templateFiles)
        {
            var name = $"{chartName}/templates/{file}";
            TemplateFiles.Add(file);
            _templates[name] = Parser.Parse(name, text, _templates);
        }
    }

    public string ChartName { get; }

    /// <summary>File names under templates/, relative, with '/' separators.</summary>
    public List<string> TemplateFiles { get; } = [];

    /// <summary>Loads Chart.yaml and every file under templates/ of a chart folder.</summary>
    public static MiniHelm Load(string chartDirectory)
    {
        var chartYaml = Yaml.ToObject(Yaml.LoadSingle(File.ReadAllText(Path.Combine(chartDirectory, "Chart.yaml"))))
            as Dictionary<string, object?> ?? throw new InvalidOperationException("Chart.yaml is not a mapping.");
        // Helm exposes Chart.yaml's fields with an initial capital: .Chart.Name, .Chart.AppVersion, ...
        var chart = chartYaml.ToDictionary(kv => char.ToUpperInvariant(kv.Key[0]) + kv.Key[1..], kv => kv.Value, StringComparer.Ordinal);
        var name = chart.TryGetValue("Name", out var n) ? Convert.ToString(n, CultureInfo.InvariantCulture)! : throw new InvalidOperationException("Chart.yaml has no name.");
        var templatesDirectory = Path.Combine(chartDirectory, "templates");
        var files = Directory.GetFiles(templatesDirectory, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetRelativePath(templatesDirectory, f).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);
        return new MiniHelm(name, chart, files);
    }

    /// <summary>Builds a renderer from in-memory template files (for testing the renderer itself).</summary>
    public static MiniHelm FromFiles(string chartName, string version, IReadOnlyDictionary<string, string> templateFiles) =>
        new(chartName, new Dictionary<string, object?>(StringComparer.Ordinal) { ["Name"] = chartName, ["Version"] = version, ["AppVersion"] = version }, templateFiles);

    /// <summary>Parses values.yaml text into the object model used by the renderer.</summary>
    public static Dictionary<string, object?> ParseValues(string valuesYaml) =>
        Yaml.ToObject(Yaml.LoadSingle(valuesYaml)) as Dictionary<string, object?> ?? [];

    /// <summary>Sets a value by dotted path, like <c>helm --set a.b=c</c> (the value keeps its .NET type).</summary>
    public static void Set(Dictionary<string, object?> values, string path, object? value)
    {
        var parts = path.Split('.');
        var current = values;
        foreach (var part in parts[..^1])
        {
            if (!current.TryGetValue(part, out var next) || next is not Dictionary<string, object?> map)
            {
                map = new Dictionary<string, object?>(StringComparer.Ordinal);
                current[part] = map;
            }

            current = map;
        }

        current[parts[^1]] = value;
    }

    /// <summary>
    /// Renders every template that produces output (not the _*.tpl helpers), like <c>helm template</c>:
    /// file name (relative to templates/) to rendered text. NOTES.txt is included.
    /// </summary>
    public Dictionary<string, string> RenderAll(Dictionary<string, object?> values, string releaseName = "rn", string releaseNamespace = "referrals")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in TemplateFiles.Where(f => !Path.GetFileName(f).StartsWith('_')))
        {
            result[file] = Render(file, values, releaseName, releaseNamespace);
        }

        return result;
    }

    /// <summary>Renders one file under templates/.</summary>
    public string Render(string file, Dictionary<string, object?> values, string releaseName = "rn", string releaseNamespace = "referrals")
    {
        var name = $"{ChartName}/templates/{file}";
        var root = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Values"] = values,
            ["Chart"] = _chart,
            ["Release"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["Name"] = releaseName,
                ["Namespace"] = releaseNamespace,
                ["Service"] = "Helm",
                ["IsInstall"] = true,
                ["IsUpgrade"] = false,
                ["Revision"] = 1L,
            },
            ["Template"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["Name"] = name,
                ["BasePath"] = $"{ChartName}/templates",
            },
        };
        return Execute(name, root);
    }

    private string Execute(string templateName, object? dot)
    {
        if (!_templates.TryGetValue(templateName, out var nodes))
        {
            throw new TemplateException($"no template \"{templateName}\"");
        }

        var state = new State(this, templateName);
        state.PushScope();
        state.Declare("$", dot);
        var output = new StringBuilder();
        state.Walk(nodes, dot, output);
        // Helm replaces Go's "<no value>" (a missing map key printed) with an empty string.
        return output.ToString();
    }

    // ----------------------------------------------------------------------------------------------
    // Syntax tree
    // ----------------------------------------------------------------------------------------------

    private abstract record Node(int Line);

    private sealed record TextNode(int Line, string Text) : Node(Line);

    private sealed record ActionNode(int Line, Pipeline Pipeline) : Node(Line);

    private sealed record IfNode(int Line, Pipeline Condition, List<Node> Then, List<Node>? Else) : Node(Line);

    private sealed record WithNode(int Line, Pipeline Value, List<Node> Then, List<Node>? Else) : Node(Line);

    private sealed record RangeNode(int Line, Pipeline Value, List<Node> Body, List<Node>? Else) : Node(Line);

    private sealed record Pipeline(List<string> Declarations, bool IsAssignment, List<Command> Commands);

    private sealed record Command(List<Expr> Arguments);

    private abstract record Expr;

    private sealed record LiteralExpr(object? Value) : Expr;

    private sealed record DotExpr : Expr;

    private sealed record VariableExpr(string Name) : Expr;

    private sealed record IdentifierExpr(string Name) : Expr;

    private sealed record FieldExpr(Expr Receiver, List<string> Names) : Expr;

    private sealed record PipelineExpr(Pipeline Pipeline) : Expr;

    // ----------------------------------------------------------------------------------------------
    // Lexing of text and actions, then parsing into the tree
    // ----------------------------------------------------------------------------------------------

    private static class Parser
    {
        private sealed record Item(int Line, string? Text, string? Action);

        public static List<Node> Parse(string name, string text, Dictionary<string, List<Node>> templates)
        {
            var items = Split(name, text);
            var position = 0;
            var nodes = ParseList(name, items, ref position, templates, out var terminator);
            if (terminator is not null)
            {
                throw new TemplateException($"{name}:{items[position - 1].Line}: unexpected {{{{{terminator}}}}}");
            }

            return nodes;
        }

        /// <summary>Splits the text into text and action items, applying the {{- and -}} trim markers.</summary>
        private static List<Item> Split(string name, string text)
        {
            var items = new List<Item>();
            var index = 0;
            var line = 1;
            var trimNextText = false;
            while (index < text.Length)
            {
                var open = text.IndexOf("{{", index, StringComparison.Ordinal);
                var chunk = open < 0 ? text[index..] : text[index..open];
                if (trimNextText)
                {
                    chunk = chunk.TrimStart(' ', '\t', '\r', '\n');
                }

                var trimLeft = open >= 0 && open + 3 < text.Length && text[open + 2] == '-' && IsSpace(text[open + 3]);
                if (trimLeft)
                {
                    chunk = chunk.TrimEnd(' ', '\t', '\r', '\n');
                }

                if (chunk.Length > 0)
                {
                    items.Add(new Item(line, chunk, null));
                }

                if (open < 0)
                {
                    break;
                }

                line += text.AsSpan(index, open - index).Count('\n');
                var start = open + (trimLeft ? 3 : 2);
                var close = FindClose(name, text, start, line);
                var content = text[start..close];
                trimNextText = false;
                if (content.Length >= 2 && content[^1] == '-' && IsSpace(content[^2]))
                {
                    trimNextText = true;
                    content = content[..^1];
                }

                content = content.Trim();
                if (!(content.StartsWith("/*", StringComparison.Ordinal) && content.EndsWith("*/", StringComparison.Ordinal)))
                {
                    items.Add(new Item(line, null, content));
                }

                line += text.AsSpan(open, close + 2 - open).Count('\n');
                index = close + 2;
            }

            return items;
        }

        private static int FindClose(string name, string text, int start, int line)
        {
            var trimmed = text.AsSpan(start).TrimStart();
            if (trimmed.StartsWith("/*"))
            {
                var end = text.IndexOf("*/", start, StringComparison.Ordinal);
                var close = end < 0 ? -1 : text.IndexOf("}}", end, StringComparison.Ordinal);
                return close >= 0 ? close : throw new TemplateException($"{name}:{line}: unclosed comment");
            }

            var quote = '\0';
            for (var i = start; i < text.Length - 1; i++)
            {
                var c = text[i];
                if (quote != '\0')
                {
                    if (c == '\\' && quote == '"')
                    {
                        i++;
                    }
                    else if (c == quote)
                    {
                        quote = '\0';
                    }
                }
                else if (c is '"' or '`')
                {
                    quote = c;
                }
                else if (c == '}' && text[i + 1] == '}')
                {
                    return i;
                }
                else if (c == '\n')
                {
                    throw new TemplateException($"{name}:{line}: action spans lines (unclosed {{{{)");
                }
            }

            throw new TemplateException($"{name}:{line}: unclosed action");
        }

        private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

        /// <summary>Parses nodes up to {{end}}, {{else}} (reported in terminator) or the end of the items.</summary>
        private static List<Node> ParseList(string name, List<Item> items, ref int position, Dictionary<string, List<Node>> templates, out string? terminator)
        {
            var nodes = new List<Node>();
            terminator = null;
            while (position < items.Count)
            {
                var item = items[position++];
                if (item.Text is not null)
                {
                    nodes.Add(new TextNode(item.Line, item.Text));
                    continue;
                }

                var tokens = Lexer.Tokenize(name, item.Line, item.Action!);
                var where = $"{name}:{item.Line}";
                var keyword = tokens.Count > 0 && tokens[0].Kind == TokenKind.Identifier ? tokens[0].Text : null;
                switch (keyword)
                {
                    case "end":
                        terminator = "end";
                        return nodes;
                    case "else":
                        terminator = item.Action!;
                        return nodes;
                    case "if":
                    case "with":
                    case "range":
                        nodes.Add(ParseControl(name, where, keyword, tokens.Skip(1).ToList(), items, ref position, templates, item.Line));
                        break;
                    case "define":
                        {
                            if (tokens.Count != 2 || tokens[1].Kind != TokenKind.String)
                            {
                                throw new TemplateException($"{where}: malformed define");
                            }

                            var body = ParseList(name, items, ref position, templates, out var end);
                            if (end != "end")
                            {
                                throw new TemplateException($"{where}: define \"{tokens[1].Text}\" not closed by {{{{end}}}}");
                            }

                            templates[tokens[1].Text] = body;
                            break;
                        }

                    case "template" or "block" or "break" or "continue":
                        throw new TemplateException($"{where}: {{{{{keyword}}}}} is not supported by this renderer");
                    default:
                        nodes.Add(new ActionNode(item.Line, new ExpressionParser(where, tokens).ParseWholePipeline()));
                        break;
                }
            }

            return nodes;
        }

        private static Node ParseControl(string name, string where, string keyword, List<Token> tokens, List<Item> items, ref int position, Dictionary<string, List<Node>> templates, int line)
        {
            var pipeline = new ExpressionParser(where, tokens).ParseWholePipeline();
            var body = ParseList(name, items, ref position, templates, out var terminator);
            List<Node>? elseBody = null;
            if (terminator is not null && terminator != "end")
            {
                var rest = terminator["else".Length..].Trim();
                if (rest.Length == 0)
                {
                    elseBody = ParseList(name, items, ref position, templates, out terminator);
                }
                else if (rest.StartsWith("if ", StringComparison.Ordinal) && keyword == "if")
                {
                    // {{else if x}} ... {{end}}: a nested if that consumes the shared {{end}}.
                    var nestedTokens = Lexer.Tokenize(name, line, rest).Skip(1).ToList();
                    elseBody = [ParseControl(name, where, "if", nestedTokens, items, ref position, templates, line)];
                    terminator = "end";
                }
                else
                {
                    throw new TemplateException($"{where}: {{{{{terminator}}}}} is not supported by this renderer");
                }
            }

            if (terminator != "end")
            {
                throw new TemplateException($"{where}: {{{{{keyword}}}}} not closed by {{{{end}}}}");
            }

            return keyword switch
            {
                "if" => new IfNode(line, pipeline, body, elseBody),
                "with" => new WithNode(line, pipeline, body, elseBody),
                _ => new RangeNode(line, pipeline, body, elseBody),
            };
        }
    }

    private enum TokenKind
    {
        Identifier,
        String,
        Number,
        Dot,
        Field,
        Variable,
        LeftParen,
        RightParen,
        Pipe,
        Comma,
        Declare,
        Assign,
    }

    /// <summary>A token of an action; <paramref name="Adjacent"/> means no space before it (field chains need that).</summary>
    private sealed record Token(TokenKind Kind, string Text, object? Value = null, bool Adjacent = false);

    private static class Lexer
    {
        public static List<Token> Tokenize(string name, int line, string action)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < action.Length)
            {
                var c = action[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '.' && i > 0 && !char.IsWhiteSpace(action[i - 1]) && action[i - 1] != '(' && i + 1 < action.Length && IsIdentifierStart(action[i + 1]))
                {
                    // A field directly after a variable, a field or ')': part of a chain.
                    var start = ++i;
                    while (i < action.Length && IsIdentifierPart(action[i]))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Field, action[start..i], Adjacent: true));
                }
                else if (c == '"')
                {
                    var sb = new StringBuilder();
                    i++;
                    while (i < action.Length && action[i] != '"')
                    {
                        if (action[i] == '\\' && i + 1 < action.Length)
                        {
                            i++;
                            sb.Append(action[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var e => e });
                        }
                        else
                        {
                            sb.Append(action[i]);
                        }

                        i++;
                    }

                    if (i >= action.Length)
                    {
                        throw new TemplateException($"{name}:{line}: unterminated string");
                    }

                    i++;
                    tokens.Add(new Token(TokenKind.String, sb.ToString()));
                }
                else if (c == '`')
                {
                    var end = action.IndexOf('`', i + 1);
                    if (end < 0)
                    {
                        throw new TemplateException($"{name}:{line}: unterminated raw string");
                    }

                    tokens.Add(new Token(TokenKind.String, action[(i + 1)..end]));
                    i = end + 1;
                }
                else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < action.Length && char.IsAsciiDigit(action[i + 1])))
                {
                    var start = i;
                    i++;
                    while (i < action.Length && (char.IsAsciiDigit(action[i]) || action[i] is '.' or 'e' or 'E'))
                    {
                        i++;
                    }

                    var text = action[start..i];
                    object value = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                        ? l
                        : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                    tokens.Add(new Token(TokenKind.Number, text, value));
                }
                else if (c == '.')
                {
                    if (i + 1 < action.Length && IsIdentifierStart(action[i + 1]))
                    {
                        var start = ++i;
                        while (i < action.Length && IsIdentifierPart(action[i]))
                        {
                            i++;
                        }

                        tokens.Add(new Token(TokenKind.Field, action[start..i]));
                    }
                    else
                    {
                        tokens.Add(new Token(TokenKind.Dot, "."));
                        i++;
                    }
                }
                else if (c == '$')
                {
                    var start = i++;
                    while (i < action.Length && IsIdentifierPart(action[i]))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Variable, action[start..i]));
                }
                else if (IsIdentifierStart(c))
                {
                    var start = i;
                    while (i < action.Length && IsIdentifierPart(action[i]))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Identifier, action[start..i]));
                }
                else if (c == ':' && i + 1 < action.Length && action[i + 1] == '=')
                {
                    tokens.Add(new Token(TokenKind.Declare, ":="));
                    i += 2;
                }
                else
                {
                    tokens.Add(c switch
                    {
                        '(' => new Token(TokenKind.LeftParen, "("),
                        ')' => new Token(TokenKind.RightParen, ")"),
                        '|' => new Token(TokenKind.Pipe, "|"),
                        ',' => new Token(TokenKind.Comma, ","),
                        '=' => new Token(TokenKind.Assign, "="),
                        _ => throw new TemplateException($"{name}:{line}: unexpected character '{c}' in action"),
                    });
                    i++;
                }
            }

            return tokens;
        }

        private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';

        private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
    }

    /// <summary>Recursive descent over the tokens of one action.</summary>
    private sealed class ExpressionParser(string where, List<Token> tokens)
    {
        private int _position;

        private Token? Peek => _position < tokens.Count ? tokens[_position] : null;

        public Pipeline ParseWholePipeline()
        {
            var pipeline = ParsePipeline();
            if (Peek is { } extra)
            {
                throw new TemplateException($"{where}: unexpected '{extra.Text}'");
            }

            return pipeline;
        }

        private Pipeline ParsePipeline()
        {
            var declarations = new List<string>();
            var isAssignment = false;
            // Declarations: $x := ..., $k, $v := ..., $x = ...
            var lookahead = _position;
            var names = new List<string>();
            while (lookahead < tokens.Count && tokens[lookahead].Kind == TokenKind.Variable)
            {
                names.Add(tokens[lookahead].Text);
                lookahead++;
                if (lookahead < tokens.Count && tokens[lookahead].Kind == TokenKind.Comma)
                {
                    lookahead++;
                    continue;
                }

                break;
            }

            if (names.Count > 0 && lookahead < tokens.Count && tokens[lookahead].Kind is TokenKind.Declare or TokenKind.Assign)
            {
                isAssignment = tokens[lookahead].Kind == TokenKind.Assign;
                declarations = names;
                _position = lookahead + 1;
            }

            var commands = new List<Command> { ParseCommand() };
            while (Peek is { Kind: TokenKind.Pipe })
            {
                _position++;
                commands.Add(ParseCommand());
            }

            return new Pipeline(declarations, isAssignment, commands);
        }

        private Command ParseCommand()
        {
            var arguments = new List<Expr>();
            while (Peek is { } token && token.Kind is not (TokenKind.Pipe or TokenKind.RightParen))
            {
                arguments.Add(ParseOperand());
            }

            return arguments.Count > 0 ? new Command(arguments) : throw new TemplateException($"{where}: missing command");
        }

        private Expr ParseOperand()
        {
            var token = tokens[_position++];
            Expr expr = token.Kind switch
            {
                TokenKind.String => new LiteralExpr(token.Text),
                TokenKind.Number => new LiteralExpr(token.Value),
                TokenKind.Dot => new DotExpr(),
                TokenKind.Variable => new VariableExpr(token.Text),
                TokenKind.Field => new FieldExpr(new DotExpr(), [token.Text]),
                TokenKind.Identifier => token.Text switch
                {
                    "true" => new LiteralExpr(true),
                    "false" => new LiteralExpr(false),
                    "nil" => new LiteralExpr(null),
                    _ => new IdentifierExpr(token.Text),
                },
                TokenKind.LeftParen => ParseParenthesized(),
                _ => throw new TemplateException($"{where}: unexpected '{token.Text}'"),
            };

            // Field chains: .a.b.c, $x.a.b, (pipeline).a
            while (Peek is { Kind: TokenKind.Field, Adjacent: true } field)
            {
                _position++;
                expr = expr is FieldExpr f ? f with { Names = [.. f.Names, field.Text] } : new FieldExpr(expr, [field.Text]);
            }

            return expr;
        }

        private PipelineExpr ParseParenthesized()
        {
            var pipeline = ParsePipeline();
            if (Peek is not { Kind: TokenKind.RightParen })
            {
                throw new TemplateException($"{where}: missing ')'");
            }

            _position++;
            return new PipelineExpr(pipeline);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Evaluation
    // ----------------------------------------------------------------------------------------------

    private sealed class State(MiniHelm helm, string templateName)
    {
        private readonly List<Dictionary<string, object?>> _scopes = [];
        private int _line;

        public void PushScope() => _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal));

        public void PopScope() => _scopes.RemoveAt(_scopes.Count - 1);

        public void Declare(string name, object? value) => _scopes[^1][name] = value;

        public void Walk(List<Node> nodes, object? dot, StringBuilder output)
        {
            foreach (var node in nodes)
            {
                _line = node.Line;
                switch (node)
                {
                    case TextNode text:
                        output.Append(text.Text);
                        break;
                    case ActionNode action:
                        {
                            var value = EvaluatePipeline(action.Pipeline, dot);
                            if (action.Pipeline.Declarations.Count == 0)
                            {
                                output.Append(Functions.ToText(value));
                            }

                            break;
                        }

                    case IfNode ifNode:
                        WalkScoped(Functions.IsTrue(EvaluatePipeline(ifNode.Condition, dot)) ? ifNode.Then : ifNode.Else, dot, output);
                        break;
                    case WithNode with:
                        {
                            var value = EvaluatePipeline(with.Value, dot);
                            if (Functions.IsTrue(value))
                            {
                                WalkScoped(with.Then, value, output);
                            }
                            else
                            {
                                WalkScoped(with.Else, dot, output);
                            }

                            break;
                        }

                    case RangeNode range:
                        WalkRange(range, dot, output);
                        break;
                }
            }
        }

        private void WalkScoped(List<Node>? nodes, object? dot, StringBuilder output)
        {
            if (nodes is null)
            {
                return;
            }

            PushScope();
            try
            {
                Walk(nodes, dot, output);
            }
            finally
            {
                PopScope();
            }
        }

        private void WalkRange(RangeNode range, object? dot, StringBuilder output)
        {
            var pipeline = range.Value with { Declarations = [] };
            var collection = EvaluatePipeline(pipeline, dot);
            var declarations = range.Value.Declarations;
            var entries = new List<(object? Key, object? Value)>();
            switch (collection)
            {
                case null:
                    break;
                case Dictionary<string, object?> map:
                    entries.AddRange(map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => ((object?)kv.Key, kv.Value)));
                    break;
                case List<object?> list:
                    entries.AddRange(list.Select((v, i) => ((object?)(long)i, v)));
                    break;
                default:
                    throw Error($"range can't iterate over {Functions.ToText(collection)}");
            }

            if (entries.Count == 0)
            {
                WalkScoped(range.Else, dot, output);
                return;
            }

            foreach (var (key, value) in entries)
            {
                PushScope();
                try
                {
                    if (declarations.Count == 1)
                    {
                        Declare(declarations[0], value);
                    }
                    else if (declarations.Count == 2)
                    {
                        Declare(declarations[0], key);
                        Declare(declarations[1], value);
                    }

                    Walk(range.Body, value, output);
                }
                finally
                {
                    PopScope();
                }
            }
        }

        private object? EvaluatePipeline(Pipeline pipeline, object? dot)
        {
            object? value = null;
            var hasPiped = false;
            foreach (var command in pipeline.Commands)
            {
                value = EvaluateCommand(command, dot, hasPiped, value);
                hasPiped = true;
            }

            if (pipeline.Declarations.Count == 1)
            {
                var name = pipeline.Declarations[0];
                if (pipeline.IsAssignment)
                {
                    var scope = _scopes.LastOrDefault(s => s.ContainsKey(name)) ?? throw Error($"undefined variable: {name}");
                    scope[name] = value;
                }
                else
                {
                    Declare(name, value);
                }
            }
            else if (pipeline.Declarations.Count > 1)
            {
                throw Error("multiple variables are only allowed in range");
            }

            return value;
        }

        private object? EvaluateCommand(Command command, object? dot, bool hasPiped, object? piped)
        {
            var first = command.Arguments[0];
            if (first is IdentifierExpr function)
            {
                var arguments = command.Arguments.Skip(1).Select(a => Evaluate(a, dot)).ToList();
                if (hasPiped)
                {
                    arguments.Add(piped);
                }

                return Call(function.Name, arguments);
            }

            if (command.Arguments.Count > 1 || hasPiped)
            {
                throw Error("can't give argument to non-function");
            }

            return Evaluate(first, dot);
        }

        private object? Evaluate(Expr expr, object? dot) => expr switch
        {
            LiteralExpr literal => literal.Value,
            DotExpr => dot,
            VariableExpr variable => Lookup(variable.Name),
            PipelineExpr pipeline => EvaluatePipeline(pipeline.Pipeline, dot),
            IdentifierExpr function => Call(function.Name, []),
            FieldExpr field => EvaluateField(field, dot),
            _ => throw Error("unknown expression"),
        };

        private object? EvaluateField(FieldExpr field, object? dot)
        {
            var value = Evaluate(field.Receiver, dot);
            var path = field.Receiver is VariableExpr v ? v.Name : field.Receiver is DotExpr ? "" : "(...)";
            foreach (var name in field.Names)
            {
                path += "." + name;
                value = value switch
                {
                    null => throw Error($"nil pointer evaluating interface {{}}.{name} (at {path})"),
                    Dictionary<string, object?> map => map.GetValueOrDefault(name),
                    _ => throw Error($"can't evaluate field {name} in type {value.GetType().Name} (at {path})"),
                };
            }

            return value;
        }

        private object? Lookup(string name)
        {
            for (var i = _scopes.Count - 1; i >= 0; i--)
            {
                if (_scopes[i].TryGetValue(name, out var value))
                {
                    return value;
                }
            }

            throw Error($"undefined variable: {name}");
        }

        private object? Call(string name, List<object?> args)
        {
            try
            {
                return name switch
                {
                    "include" => helm.Execute(Functions.Str(Functions.Arg(args, 0, 2)), args[1]),
                    _ => Functions.Call(name, args),
                };
            }
            catch (RequiredValueException)
            {
                throw;
            }
            catch (TemplateException e) when (!e.Message.Contains(templateName, StringComparison.Ordinal))
            {
                throw Error($"error calling {name}: {e.Message}");
            }
        }

        private TemplateException Error(string message) => new($"{templateName}:{_line}: {message}");
    }

    // ----------------------------------------------------------------------------------------------
    // Functions (Go template built-ins and the Sprig/Helm functions the chart uses)
    // ----------------------------------------------------------------------------------------------

    private static class Functions
    {
        public static object? Call(string name, List<object?> args) => name switch
        {
            "default" => IsEmpty(Arg(args, 1, 2)) ? args[0] : args[1],
            "required" => IsRequiredMissing(Arg(args, 1, 2)) ? throw new RequiredValueException(Str(args[0])) : args[1],
            "quote" => string.Join(' ', args.Where(a => a is not null).Select(a => GoQuote(ToText(a)))),
            "squote" => string.Join(' ', args.Where(a => a is not null).Select(a => $"'{ToText(a)}'")),
            "toString" => ToText(Arg(args, 0, 1)),
            "int" => ToInt(Arg(args, 0, 1)),
            "toYaml" => Yaml.Emit(Arg(args, 0, 1)).TrimEnd('\n'),
            "fromYaml" => Yaml.ToObject(Yaml.LoadSingle(Str(Arg(args, 0, 1)))) ?? new Dictionary<string, object?>(StringComparer.Ordinal),
            "indent" => Indent((int)ToInt(Arg(args, 0, 2)), Str(args[1])),
            "nindent" => "\n" + Indent((int)ToInt(Arg(args, 0, 2)), Str(args[1])),
            "trunc" => Truncate((int)ToInt(Arg(args, 0, 2)), Str(args[1])),
            "trimSuffix" => TrimSuffix(Str(Arg(args, 0, 2)), Str(args[1])),
            "trimPrefix" => TrimPrefix(Str(Arg(args, 0, 2)), Str(args[1])),
            "replace" => Str(Arg(args, 2, 3)).Replace(Str(args[0]), Str(args[1]), StringComparison.Ordinal),
            "contains" => Str(Arg(args, 1, 2)).Contains(Str(args[0]), StringComparison.Ordinal),
            "lower" => Str(Arg(args, 0, 1)).ToLowerInvariant(),
            "upper" => Str(Arg(args, 0, 1)).ToUpperInvariant(),
            "printf" => Printf(Str(args[0]), args.Skip(1).ToList()),
            "print" => string.Concat(args.Select(ToText)),
            "sha256sum" => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Str(Arg(args, 0, 1))))),
            "empty" => IsEmpty(Arg(args, 0, 1)),
            "not" => !IsTrue(Arg(args, 0, 1)),
            "and" => args.FirstOrDefault(a => !IsTrue(a), args[^1]),
            "or" => args.FirstOrDefault(IsTrue, args[^1]),
            "eq" => args.Skip(1).Any(a => Compare(args[0], a) == 0),
            "ne" => Compare(Arg(args, 0, 2), args[1]) != 0,
            "lt" => Compare(Arg(args, 0, 2), args[1]) < 0,
            "le" => Compare(Arg(args, 0, 2), args[1]) <= 0,
            "gt" => Compare(Arg(args, 0, 2), args[1]) > 0,
            "ge" => Compare(Arg(args, 0, 2), args[1]) >= 0,
            "hasKey" => Arg(args, 0, 2) is Dictionary<string, object?> map && map.ContainsKey(Str(args[1])),
            _ => throw new TemplateException($"function \"{name}\" not defined (not supported by this renderer)"),
        };

        public static object? Arg(List<object?> args, int index, int count) =>
            args.Count == count ? args[index] : throw new TemplateException($"wrong number of arguments: {args.Count}, want {count}");

        public static string Str(object? value) => ToText(value);

        /// <summary>Go's fmt %v of a value, with Helm's "&lt;no value&gt;" replaced by "".</summary>
        public static string ToText(object? value) => value switch
        {
            null => "",
            string s => s,
            bool b => b ? "true" : "false",
            long l => l.ToString(CultureInfo.InvariantCulture),
            int i => i.ToString(CultureInfo.InvariantCulture),
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            Dictionary<string, object?> map => "map[" + string.Join(' ', map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{ToText(kv.Value)}")) + "]",
            List<object?> list => "[" + string.Join(' ', list.Select(ToText)) + "]",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        };

        /// <summary>Go template truth: false, 0, nil and empty strings and collections are false.</summary>
        public static bool IsTrue(object? value) => !IsEmpty(value);

        private static bool IsEmpty(object? value) => value switch
        {
            null => true,
            bool b => !b,
            long l => l == 0,
            int i => i == 0,
            double d => d == 0,
            string s => s.Length == 0,
            ICollection c => c.Count == 0,
            _ => false,
        };

        private static bool IsRequiredMissing(object? value) => value is null || value is string { Length: 0 };

        private static long ToInt(object? value) => value switch
        {
            null => 0,
            long l => l,
            int i => i,
            double d => (long)d,
            bool b => b ? 1 : 0,
            string s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : 0,
            _ => throw new TemplateException($"cannot convert {value.GetType().Name} to int"),
        };

        private static int Compare(object? a, object? b)
        {
            if (a is long or int or double && b is long or int or double)
            {
                return Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture));
            }

            if (a is null || b is null)
            {
                return a is null && b is null ? 0 : 1;
            }

            if (a.GetType() != b.GetType())
            {
                throw new TemplateException($"incompatible types for comparison: {a.GetType().Name} and {b.GetType().Name}");
            }

            return a is bool ba ? (ba == (bool)b ? 0 : 1) : string.CompareOrdinal(ToText(a), ToText(b));
        }

        private static string TrimSuffix(string suffix, string text) =>
            suffix.Length > 0 && text.EndsWith(suffix, StringComparison.Ordinal) ? text[..^suffix.Length] : text;

        private static string TrimPrefix(string prefix, string text) =>
            prefix.Length > 0 && text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;

        private static string Indent(int spaces, string text)
        {
            var pad = new string(' ', spaces);
            return pad + text.Replace("\n", "\n" + pad, StringComparison.Ordinal);
        }

        private static string Truncate(int length, string text) =>
            length >= 0 ? (text.Length > length ? text[..length] : text) : (text.Length > -length ? text[^-length..] : text);

        private static string GoQuote(string text)
        {
            var sb = new StringBuilder("\"");
            foreach (var c in text)
            {
                sb.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\t' => "\\t",
                    '\r' => "\\r",
                    _ => c.ToString(),
                });
            }

            return sb.Append('"').ToString();
        }

        private static string Printf(string format, List<object?> args)
        {
            var sb = new StringBuilder();
            var next = 0;
            for (var i = 0; i < format.Length; i++)
            {
                if (format[i] != '%' || i + 1 >= format.Length)
                {
                    sb.Append(format[i]);
                    continue;
                }

                var verb = format[++i];
                if (verb == '%')
                {
                    sb.Append('%');
                    continue;
                }

                if (next >= args.Count)
                {
                    sb.Append("%!").Append(verb).Append("(MISSING)");
                    continue;
                }

                var arg = args[next++];
                sb.Append(verb switch
                {
                    's' or 'v' or 'd' => ToText(arg),
                    'q' => GoQuote(ToText(arg)),
                    _ => throw new TemplateException($"printf verb %{verb} is not supported by this renderer"),
                });
            }

            return sb.ToString();
        }
    }

    // ----------------------------------------------------------------------------------------------
    // YAML: loading into plain objects (Dictionary / List / string / long / double / bool / null),
    // resolving plain scalars as Helm's YAML library does, and emitting like Helm's toYaml.
    // ----------------------------------------------------------------------------------------------

    internal static class Yaml
    {
        public static YamlNode? LoadSingle(string text)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count switch
            {
                0 => null,
                1 => stream.Documents[0].RootNode,
                _ => throw new TemplateException("expected a single YAML document"),
            };
        }

        /// <summary>Loads every document of a multi-document stream (empty documents are skipped).</summary>
        public static List<YamlNode> LoadAll(string text)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Select(d => d.RootNode)
                .Where(n => !(n is YamlScalarNode { Value: null or "" } s && s.Style == ScalarStyle.Plain))
                .ToList();
        }

        public static object? ToObject(YamlNode? node) => node switch
        {
            null => null,
            YamlMappingNode map => map.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ToObject(kv.Value), StringComparer.Ordinal),
            YamlSequenceNode sequence => sequence.Children.Select(ToObject).ToList(),
            YamlScalarNode scalar => scalar.Style is ScalarStyle.Plain ? ResolvePlain(scalar.Value) : scalar.Value,
            _ => throw new TemplateException($"unsupported YAML node {node.NodeType}"),
        };

        private static object? ResolvePlain(string? text)
        {
            switch (text)
            {
                case null or "" or "~" or "null" or "Null" or "NULL":
                    return null;
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
            }

            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return l;
            }

            if (text.Any(char.IsAsciiDigit) && text.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                return d;
            }

            return text;
        }

        /// <summary>Emits YAML like Helm's toYaml: sorted keys, sequences not indented under their key.</summary>
        public static string Emit(object? value)
        {
            var sb = new StringBuilder();
            switch (value)
            {
                case Dictionary<string, object?> { Count: 0 }:
                    sb.Append("{}\n");
                    break;
                case List<object?> { Count: 0 }:
                    sb.Append("[]\n");
                    break;
                case Dictionary<string, object?> or List<object?>:
                    EmitBlock(sb, value, 0);
                    break;
                default:
                    sb.Append(Scalar(value)).Append('\n');
                    break;
            }

            return sb.ToString();
        }

        private static void EmitBlock(StringBuilder sb, object? value, int indent)
        {
            var pad = new string(' ', indent);
            if (value is Dictionary<string, object?> map)
            {
                foreach (var (key, child) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    sb.Append(pad).Append(Scalar(key)).Append(':');
                    EmitChild(sb, child, indent, inSequence: false);
                }
            }
            else if (value is List<object?> list)
            {
                foreach (var item in list)
                {
                    sb.Append(pad).Append('-');
                    if (item is Dictionary<string, object?> { Count: > 0 } itemMap)
                    {
                        // "- key: value" with the following keys aligned under the first.
                        var inner = new StringBuilder();
                        EmitBlock(inner, itemMap, indent + 2);
                        sb.Append(' ').Append(inner.ToString()[(indent + 2)..]);
                    }
                    else
                    {
                        EmitChild(sb, item, indent, inSequence: true);
                    }
                }
            }
        }

        private static void EmitChild(StringBuilder sb, object? child, int indent, bool inSequence)
        {
            switch (child)
            {
                case Dictionary<string, object?> { Count: 0 }:
                    sb.Append(" {}\n");
                    break;
                case List<object?> { Count: 0 }:
                    sb.Append(" []\n");
                    break;
                case Dictionary<string, object?> nested:
                    sb.Append('\n');
                    EmitBlock(sb, nested, indent + 2);
                    break;
                case List<object?> nested:
                    sb.Append('\n');
                    EmitBlock(sb, nested, inSequence ? indent + 2 : indent);
                    break;
                default:
                    sb.Append(' ').Append(Scalar(child)).Append('\n');
                    break;
            }
        }

        private static string Scalar(object? value)
        {
            if (value is not string s)
            {
                return value is null ? "null" : Functions.ToText(value);
            }

            var needsQuotes = s.Length == 0
                || ResolvePlain(s) is not string
                || s.Trim() != s
                || "-?:,[]{}#&*!|>'\"%@`".Contains(s[0], StringComparison.Ordinal)
                || s.Contains(": ", StringComparison.Ordinal) || s.Contains(" #", StringComparison.Ordinal) || s.EndsWith(':')
                || s.Any(char.IsControl)
                || s is "yes" or "no" or "on" or "off" or "y" or "n" or "Yes" or "No" or "On" or "Off";
            if (!needsQuotes)
            {
                return s;
            }

            var sb = new StringBuilder("\"");
            foreach (var c in s)
            {
                sb.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\t' => "\\t",
                    '\r' => "\\r",
                    _ => c.ToString(),
                });
            }

            return sb.Append('"').ToString();
        }
    }
}

/// <summary>A template could not be parsed or evaluated.</summary>
internal class TemplateException(string message) : Exception(message);

/// <summary>A <c>required</c> value is missing (Helm fails the install with this message).</summary>
internal sealed class RequiredValueException(string message) : TemplateException(message);
