using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Wharf.Tests.Architecture;

/// <summary>
/// Which parts of Wharf.Core use which, read from the compiled assembly: every type a part's code
/// names (in signatures, fields, attributes and method bodies, lambdas and async state machines
/// included). A part is a namespace below <c>Wharf</c> with its sub-namespaces (<c>Wharf.Warehouses.DuckDb</c>
/// belongs to <c>Warehouses</c>). The root namespace is split in two: the public façade
/// (<see cref="FacadeTypes"/>), which may use every part, and what every part may use (the root exception, quoting).
/// </summary>
internal static class PartDependencies
{
    /// <summary>The façade of the root namespace: the documented API, on top of every part.</summary>
    public static readonly IReadOnlySet<string> FacadeTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "WharfProject", "WharfProjectBuilder", "WharfSession", "WharfOptions",
    };

    public const string Facade = "(api)";

    public const string Root = "(root)";

    /// <summary>For each part, the parts it uses, each with one example (the using type and the used type).</summary>
    public static Dictionary<string, Dictionary<string, string>> Read(string assemblyPath)
    {
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        var uses = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            if (PartOf(type) is not { } from)
            {
                continue;
            }

            var edges = uses.TryGetValue(from, out var found) ? found : uses[from] = new(StringComparer.Ordinal);
            foreach (var used in Referenced(type))
            {
                if (used.Scope is not ModuleDefinition || PartOf(used) is not { } to || to == from || edges.ContainsKey(to))
                {
                    continue;
                }

                edges[to] = $"{type.FullName} uses {used.FullName}";
            }
        }

        return uses;
    }

    /// <summary>The part a type of this assembly belongs to; null for compiler-generated types outside any namespace.</summary>
    public static string? PartOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        var ns = type.Namespace;
        if (ns == "Wharf")
        {
            return FacadeTypes.Contains(type.Name) ? Facade : Root;
        }

        return ns.StartsWith("Wharf.", StringComparison.Ordinal) ? ns.Split('.')[1] : null;
    }

    private static IEnumerable<TypeReference> Referenced(TypeDefinition type)
    {
        IEnumerable<TypeReference> signatures = [
            .. type.BaseType is null ? [] : new[] { type.BaseType },
            .. type.Interfaces.Select(i => i.InterfaceType),
            .. type.CustomAttributes.Select(a => a.AttributeType),
            .. type.Fields.Select(f => f.FieldType),
            .. type.Properties.Select(p => p.PropertyType),
            .. type.Events.Select(e => e.EventType),
        ];
        foreach (var reference in signatures.SelectMany(Expand))
        {
            yield return reference;
        }

        foreach (var method in type.Methods)
        {
            foreach (var reference in new[] { method.ReturnType }.Concat(method.Parameters.Select(p => p.ParameterType)).SelectMany(Expand))
            {
                yield return reference;
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var reference in method.Body.Variables.Select(v => v.VariableType).SelectMany(Expand))
            {
                yield return reference;
            }

            foreach (var instruction in method.Body.Instructions)
            {
                var operands = instruction.Operand switch
                {
                    TypeReference t => Expand(t),
                    MethodReference m => Expand(m.DeclaringType).Concat(Expand(m.ReturnType)).Concat(m.Parameters.SelectMany(p => Expand(p.ParameterType)))
                        .Concat(m is GenericInstanceMethod g ? g.GenericArguments.SelectMany(Expand) : []),
                    FieldReference f => Expand(f.DeclaringType).Concat(Expand(f.FieldType)),
                    _ => [],
                };
                foreach (var reference in operands)
                {
                    yield return reference;
                }
            }
        }
    }

    /// <summary>A type and the types it is made of (array elements, generic arguments, a function pointer's signature).</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference type)
    {
        switch (type)
        {
            case GenericInstanceType generic:
                foreach (var inner in Expand(generic.ElementType).Concat(generic.GenericArguments.SelectMany(Expand)))
                {
                    yield return inner;
                }

                break;
            case FunctionPointerType pointer:
                // delegate* unmanaged<…>: the types of its signature (it has no element type).
                foreach (var inner in new[] { pointer.ReturnType }.Concat(pointer.Parameters.Select(p => p.ParameterType)).SelectMany(Expand))
                {
                    yield return inner;
                }

                break;
            case TypeSpecification specification:
                foreach (var inner in Expand(specification.ElementType))
                {
                    yield return inner;
                }

                break;
            case GenericParameter:
                break;
            default:
                yield return type;
                break;
        }
    }
}
