import Foundation
import LatentIR
import LatentRuntime
import SwiftProtobuf

/// A forward phase as an ONNX model (opset 17) over a store's parameter values. Values keep
/// Latent's layout inside the graph (rows; images channels last, `[N, H, W, C]`); a
/// convolution becomes an ONNX `Conv` (and a transposed one `ConvTranspose`) between
/// transposes to channels first, with its weights rearranged to `[out, in, K, K]`; inputs
/// and the output take the shapes the caller names (an image `[C, H, W]` for x), reshaped
/// at the edges. The batch is the symbolic first dimension `N`.
public struct ONNXModel {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    let phase: Phase
    let parameters: [Parameter]
    let store: ParameterStore
    let shapes: [String: [Int]]
    var graph = Onnx_GraphProto()
    var names: [Int: String] = [:]
    var initialized: Set<String> = []

    /// A graph input or output: its name and its shape per example (after the batch `N`).
    public typealias Value = (name: String, shape: [Int])

    /// The serialized model of `phase`, its inputs and output shaped per example as
    /// `shapes` says (by input name, and the phase's output name), else as Latent's rows;
    /// with the inputs (in the phase's order) and the output it declares.
    public static func serialized(
        _ phase: Phase, parameters: [Parameter], store: ParameterStore, shapes: [String: [Int]]
    ) throws -> (model: Data, inputs: [Value], output: Value) {
        var builder = ONNXModel(phase: phase, parameters: parameters, store: store, shapes: shapes)
        builder.graph.name = phase.name
        // Inputs first, so the graph declares them in the phase's order.
        for (index, instruction) in phase.instructions.enumerated() {
            if case .input = instruction.op { _ = try builder.value(index) }
        }
        let result = try builder.value(phase.loss.index)
        let output = (name: phase.outputName, shape: shapes[phase.outputName] ?? rowShape(phase.instructions[phase.loss.index].type)
        )
        builder.node("Reshape", [result, builder.shapeConstant([0] + output.shape)], output.name)
        builder.graph.output.append(valueInfo(output.name, output.shape))
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = "latent"
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = 17
        model.opsetImport = [opset]
        model.graph = builder.graph
        let inputs = builder.graph.input.map { input in
            (name: input.name, shape: input.type.tensorType.shape.dim.dropFirst().map { Int($0.dimValue) })
        }
        return (try model.serializedData(), inputs, output)
    }

    /// The ONNX name of instruction `index`'s value, emitting what it needs first.
    mutating func value(_ index: Int) throws -> String {
        if let name = names[index] { return name }
        let name = try emit(index)
        names[index] = name
        return name
    }

    mutating func emit(_ index: Int) throws -> String {
        let instruction = phase.instructions[index]
        let out = "v\(index)"
        switch instruction.op {
        case .input(let name):
            let shape = shapes[name] ?? Self.rowShape(instruction.type)
            graph.input.append(Self.valueInfo(name, shape))
            node("Reshape", [name, shapeConstant([0] + Self.rowShape(instruction.type))], out)
        case .parameter(let p):
            return initializer(parameters[p].name, dims: parameters[p].shape, values: store.values(p))
        case .constant(let value):
            return initializer(out, dims: [], values: [Float(value)])
        case .vector(let values):
            return initializer(out, dims: [values.count], values: values.map(Float.init))
        case .matmul(let a, let b, false, false):
            if case .patches(let image, let geometry) = phase.instructions[a.index].op,
                case .parameter(let p) = phase.instructions[b.index].op
            {
                convolution(
                    "Conv", try value(image.index), convolutionWeight(p, geometry, transposed: false),
                    convolutionAttributes(geometry), out)
            } else {
                node("MatMul", [try value(a.index), try value(b.index)], out)
            }
        case .unpatches(let product, let geometry):
            guard case .matmul(let h, let b, false, false) = phase.instructions[product.index].op,
                case .parameter(let p) = phase.instructions[b.index].op
            else { throw unsupported(index) }
            // ONNX's output size is stride (in - 1) + K - 2 pad + output_padding.
            let padding = [
                geometry.height - (geometry.stride * (geometry.gridHeight - 1) + geometry.kernel - 2 * geometry.padding),
                geometry.width - (geometry.stride * (geometry.gridWidth - 1) + geometry.kernel - 2 * geometry.padding),
            ]
            convolution(
                "ConvTranspose", try value(h.index), convolutionWeight(p, geometry, transposed: true),
                convolutionAttributes(geometry) + [ints("output_padding", padding)], out)
        case .unary(let function, let x):
            let input = try value(x.index)
            switch function {
            case .neg: node("Neg", [input], out)
            case .exp: node("Exp", [input], out)
            case .log: node("Log", [input], out)
            case .square: node("Mul", [input, input], out)
            case .softplus: node("Softplus", [input], out)
            case .sigmoid: node("Sigmoid", [input], out)
            case .logSigmoid:
                node("Neg", [input], out + ".neg")
                node("Softplus", [out + ".neg"], out + ".softplus")
                node("Neg", [out + ".softplus"], out)
            case .tanh: node("Tanh", [input], out)
            case .relu: node("Relu", [input], out)
            case .elu: node("Elu", [input], out, attributes: [float("alpha", 1)])
            case .leakyRelu(let slope): node("LeakyRelu", [input], out, attributes: [float("alpha", slope)])
            }
        case .binary(let function, let a, let b):
            let kinds: [BinaryFunction: String] = [.add: "Add", .sub: "Sub", .mul: "Mul", .div: "Div"]
            node(kinds[function] ?? "", [try value(a.index), try value(b.index)], out)
        case .concat(let values):
            node("Concat", try values.map { try value($0.index) }, out, attributes: [int("axis", -1)])
        case .slice(let x, let offset, let width):
            node(
                "Slice",
                [try value(x.index), shapeConstant([offset]), shapeConstant([offset + width]), shapeConstant([-1])], out)
        case .reshape(let x):
            node("Reshape", [try value(x.index), shapeConstant([0] + Self.rowShape(instruction.type))], out)
        case .logSoftmax(let x):
            node("LogSoftmax", [try value(x.index)], out, attributes: [int("axis", -1)])
        case .sumLast(let x):
            node("ReduceSum", [try value(x.index), shapeConstant([-1])], out, attributes: [int("keepdims", 1)])
        case .stopGradient(let x):
            return try value(x.index)
        default:
            throw unsupported(index)
        }
        return out
    }

    func unsupported(_ index: Int) -> Failure {
        Failure(
            description: "the \(phase.name) graph computes \(ProgramPrinter.describe(phase.instructions[index], parameters: parameters)), "
                + "which has no ONNX form here (random draws and training-only values cannot be exported)")
    }

    /// `op` (Conv or ConvTranspose) on `image`, an image `[N, H, W, C]`: transposed to
    /// channels first for ONNX and back, the result named `out`.
    mutating func convolution(
        _ op: String, _ image: String, _ weight: String, _ attributes: [Onnx_AttributeProto], _ out: String
    ) {
        node("Transpose", [image], out + ".input", attributes: [ints("perm", [0, 3, 1, 2])])
        node(op, [out + ".input", weight], out + ".nchw", attributes: attributes)
        node("Transpose", [out + ".nchw"], out, attributes: [ints("perm", [0, 2, 3, 1])])
    }

    /// Parameter `p` as ONNX convolution weights: a convolution's `[K·K·C, F]` (patch values
    /// ordered kernel row, kernel column, channel) as `[F, C, K, K]`; a transposed one's
    /// `[C_in, K·K·C_out]` as `[C_in, C_out, K, K]`.
    mutating func convolutionWeight(_ p: Int, _ g: ConvGeometry, transposed: Bool) -> String {
        let name = parameters[p].name + (transposed ? ".iokk" : ".oikk")
        let values = store.values(p)
        let (k, c) = (g.kernel, g.channels)
        let outer = transposed ? parameters[p].shape[0] : parameters[p].shape[1]
        var rearranged = [Float](repeating: 0, count: values.count)
        for o in 0..<outer {
            for channel in 0..<c {
                for row in 0..<k {
                    for column in 0..<k {
                        let patchIndex = (row * k + column) * c + channel
                        let source = transposed ? o * g.patchSize + patchIndex : patchIndex * outer + o
                        rearranged[((o * c + channel) * k + row) * k + column] = values[source]
                    }
                }
            }
        }
        return initializer(name, dims: [outer, c, k, k], values: rearranged)
    }

    func convolutionAttributes(_ g: ConvGeometry) -> [Onnx_AttributeProto] {
        [
            ints("kernel_shape", [g.kernel, g.kernel]), ints("strides", [g.stride, g.stride]),
            ints("pads", [g.padding, g.padding, g.padding, g.padding]),
        ]
    }

    mutating func node(_ op: String, _ inputs: [String], _ output: String, attributes: [Onnx_AttributeProto] = []) {
        var node = Onnx_NodeProto()
        node.opType = op
        node.name = output
        node.input = inputs
        node.output = [output]
        node.attribute = attributes
        graph.node.append(node)
    }

    /// A float initializer (once per name).
    mutating func initializer(_ name: String, dims: [Int], values: [Float]) -> String {
        guard initialized.insert(name).inserted else { return name }
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dims = dims.map(Int64.init)
        tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
        graph.initializer.append(tensor)
        return name
    }

    /// An int64 vector initializer (a shape, or a slice's bounds).
    mutating func shapeConstant(_ values: [Int]) -> String {
        let name = "shape[" + values.map(String.init).joined(separator: ",") + "]"
        guard initialized.insert(name).inserted else { return name }
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dims = [Int64(values.count)]
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        tensor.int64Data = values.map(Int64.init)
        graph.initializer.append(tensor)
        return name
    }

    /// A value's dimensions after the batch (every leading one must be the batch).
    static func rowShape(_ shape: Shape) -> [Int] {
        shape.dims.compactMap { if case .fixed(let size) = $0 { size } else { nil } }
    }

    static func valueInfo(_ name: String, _ shape: [Int]) -> Onnx_ValueInfoProto {
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "N"
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.shape.dim =
            [batch]
            + shape.map { size in
                var dim = Onnx_TensorShapeProto.Dimension()
                dim.dimValue = Int64(size)
                return dim
            }
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensor
        return info
    }

    func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        attribute(name, .ints) { $0.ints = values.map(Int64.init) }
    }

    func int(_ name: String, _ value: Int) -> Onnx_AttributeProto { attribute(name, .int) { $0.i = Int64(value) } }

    func float(_ name: String, _ value: Double) -> Onnx_AttributeProto { attribute(name, .float) { $0.f = Float(value) } }

    func attribute(
        _ name: String, _ type: Onnx_AttributeProto.AttributeType, _ value: (inout Onnx_AttributeProto) -> Void
    ) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = type
        value(&attribute)
        return attribute
    }
}
