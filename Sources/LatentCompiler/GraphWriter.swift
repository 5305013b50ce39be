import LatentIR
import LatentSpec

/// The model's structure as Graphviz DOT, like the structure figures in the seed: data,
/// latents with their priors, noise, networks (with their widths) and adversaries, with
/// edges for every network's inputs and outputs, and a legend of which phase trains what.
public enum GraphWriter {
    public static func dot(_ pipeline: Pipeline) -> String {
        let spec = pipeline.model.spec
        var lines = [
            "digraph \(quoted(pipeline.ir.name)) {",
            "  rankdir=LR;",
            "  node [fontname=\"Helvetica\", fontsize=11];",
            "  edge [fontname=\"Helvetica\", fontsize=9];",
        ]
        let shape = spec.data.shape.value.map(String.init).joined(separator: "x")
        lines.append(
            "  x [label=\(quoted("x\n\(spec.data.source.value.canonicalText)\n[\(shape)]")), shape=box, style=filled, fillcolor=\"#dde8f6\"];"
        )
        if let classes = pipeline.model.labelClasses {
            let label = "label [\(classes)]\none-hot class of x"
            lines.append("  \(node(DataSpec.labelName)) [label=\(quoted(label)), shape=box, style=filled, fillcolor=\"#dde8f6\"];")
        }
        for latent in spec.latents {
            let name = latent.name.value
            let prior =
                latent.distribution?.value.canonicalText
                ?? spec.priorStatement(of: name).map { statement in
                    "p(\(name) | \(statement.value.call.inputs.map(\.value).joined(separator: ", ")))"
                } ?? "conditional"
            let label = "\(name) [\(latent.dimension.value)]\nprior \(prior)"
            lines.append(
                "  \(node(name)) [label=\(quoted(label)), shape=ellipse, style=filled, fillcolor=\"#fdf1d6\"];")
        }
        for statement in spec.inference {
            guard let call = pipeline.model.features[statement.target.value] else { continue }
            let width = pipeline.model.networkShapes[call.network.value]?.outputWidth ?? 0
            let label = "\(statement.target.value) [\(width)]\nfeature"
            lines.append("  \(node(statement.target.value)) [label=\(quoted(label)), shape=ellipse, style=dotted];")
        }
        for noise in spec.noise {
            let label = "\(noise.name.value) [\(noise.dimension.value)]\n\(noise.distribution?.value.canonicalText ?? "")"
            lines.append("  \(node(noise.name.value)) [label=\(quoted(label)), shape=ellipse, style=dashed];")
        }
        for network in spec.networks {
            let name = network.name.value
            guard let widths = pipeline.model.networkShapes[name] else { continue }
            let sizes = [widths.input] + widths.layers
            let label = "\(name)\n" + sizes.map { $0.map(String.init).joined(separator: "x") }.joined(separator: " → ")
            let isAdversary = adversaryCalls(spec).contains { $0.network.value == name }
            let color = isAdversary ? "#f6dada" : "#e2f0dc"
            lines.append(
                "  \(node(name)) [label=\(quoted(label)), shape=box, style=\"rounded,filled\", fillcolor=\"\(color)\"];"
            )
        }
        var generated: String?
        for (index, statement) in (spec.inference + spec.model).enumerated() {
            let call = statement.value.call
            let how: String
            switch statement.value {
            case .map: how = "="
            case .draw(let family): how = "~ " + familyName(family.value)
            }
            var target = node(statement.target.value)
            if statement.target.value == DataSpec.variableName {
                // The model's output is drawn on the right: a generated sample, or p(x | inputs).
                target = "x_model\(index)"
                let inputs = call.inputs.map(\.value).joined(separator: ", ")
                let label = statement.value.isMap ? "x (generated)" : "p(x | \(inputs))"
                if statement.value.isMap { generated = target }
                lines.append("  \(target) [label=\(quoted(label)), shape=box, style=dashed];")
            }
            for input in call.inputs { lines.append("  \(node(input.value)) -> \(node(call.network.value));") }
            lines.append("  \(node(call.network.value)) -> \(target) [label=\(quoted(how))];")
        }
        for (index, call) in adversaryCalls(spec).enumerated() {
            let output = "verdict\(index)"
            lines.append("  \(output) [label=\"real / fake\", shape=plaintext];")
            for input in call.inputs {
                lines.append("  \(node(input.value)) -> \(node(call.network.value)) [style=dashed];")
            }
            if let generated { lines.append("  \(generated) -> \(node(call.network.value)) [style=dashed];") }
            lines.append("  \(node(call.network.value)) -> \(output) [style=dashed];")
        }
        let counts = Dictionary(pipeline.ir.schedule.map { ($0.phase, $0.count) }, uniquingKeysWith: +)
        let legend = pipeline.ir.phases.map { phase in
            "\(phase.name) ×\(counts[phase.name] ?? 1): trains \(phase.updates.joined(separator: ", "))"
        }
        lines.append(
            "  legend [label=\(quoted(spec.objective.value.kind + " objective\\l" + legend.map { $0 + "\\l" }.joined())), shape=note];"
        )
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func adversaryCalls(_ spec: Spec) -> [NetworkCall] {
        switch spec.objective.value {
        case .elbo: []
        case .gan(let options): [options.discriminator]
        case .aae(let options): [options.discriminator] + (options.labelDiscriminator.map { [$0] } ?? [])
        case .avb(let options): [options.adversary]
        }
    }

    static func familyName(_ family: Family) -> String {
        switch family {
        case .gaussian(_, let std): std == nil ? "gaussian" : "gaussian(std=\(Expression.format(std ?? 0)))"
        case .bernoulli: "bernoulli"
        case .categorical: "categorical"
        }
    }

    /// Node names are prefixed so user names never clash with DOT keywords (node, edge, graph).
    static func node(_ name: String) -> String { name == DataSpec.variableName ? "x" : "n_\(name)" }

    /// A DOT string literal; `\l` line ends pass through, newlines become `\n`.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}

extension StatementValue {
    var isMap: Bool {
        if case .map = self { return true }
        return false
    }

    /// The network call of a map or of a draw's family.
    var call: NetworkCall {
        switch self {
        case .map(let call): call
        case .draw(let family): family.value.call
        }
    }
}
