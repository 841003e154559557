package dev.switchboard.endpoint;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

import dev.switchboard.core.ErrorResponses;
import dev.switchboard.core.LlmApiException;

/**
 * Answers HTTP/1.1 requests that Netty could not decode with an OpenAI-shaped JSON error, where
 * Reactor Netty would send the same status with an empty body.
 *
 * <p>A header too large for the server's limit, a request line too long, or a header that is not
 * valid HTTP (a control character in {@code Authorization}, say) fails in Netty's decoder, before
 * any Spring code runs: no filter, {@code WebExceptionHandler} or error controller sees it. An SDK
 * that then reads {@code error.message} finds nothing and reports an opaque failure. This handler
 * sits right after the HTTP codec, takes the failed message before Reactor Netty's own handler
 * does, and answers with the status Reactor Netty would have chosen (431, 414, else 400), a body
 * {@code {"error":{"message","type":"invalid_request_error","param":null,"code"}}} that names the
 * limit, and {@code Connection: close}: the decoder discards the rest of the connection's bytes
 * once it failed, so the connection cannot serve another request.
 *
 * <p>The limits themselves stay Spring Boot's ({@code server.max-http-request-header-size},
 * {@code server.netty.max-initial-line-length}); the message names the setting so an operator
 * knows what to raise. Over TLS with HTTP/2 negotiated by ALPN, and with h2c, the codec is added
 * later than the channel's initialization, or under another name, and this handler is not
 * installed; such errors keep Reactor Netty's empty body. Answering at once, it does not wait for a
 * pipelined request before it to finish: the connection is closed either way.
 */
public final class MalformedRequestResponder extends ChannelInboundHandlerAdapter {

	/** Name of the handler in the channel pipeline. */
	public static final String NAME = "switchboard.malformedRequestResponder";

	private boolean failed;

	/** Installs a responder in {@code server}'s HTTP/1.1 pipelines. */
	public static HttpServer install(HttpServer server) {
		return server.doOnChannelInit((observer, channel, remoteAddress) -> addTo(channel.pipeline()));
	}

	/** Adds a responder after the HTTP/1.1 codec; does nothing in a pipeline without one. */
	static void addTo(ChannelPipeline pipeline) {
		ChannelHandler codec = pipeline.get(NettyPipeline.HttpCodec);
		if (codec != null && pipeline.get(NAME) == null
				&& codec instanceof io.netty.handler.codec.http.HttpServerCodec) {
			pipeline.addAfter(NettyPipeline.HttpCodec, NAME, new MalformedRequestResponder());
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (this.failed) {
			// What the decoder still emits for a request it gave up on.
			ReferenceCountUtil.release(msg);
			return;
		}
		// Only a request head that failed: a body that fails later belongs to a request already
		// handed to WebFlux, which may be answering it; Reactor Netty fails that body itself.
		if (msg instanceof io.netty.handler.codec.http.HttpRequest http && http.decoderResult().isFailure()) {
			this.failed = true;
			DecoderResult result = http.decoderResult();
			ReferenceCountUtil.release(msg);
			respond(ctx, error(result.cause()));
			return;
		}
		ctx.fireChannelRead(msg);
	}

	/** The error for a decoding failure, with Reactor Netty's choice of status. */
	static LlmApiException error(Throwable failure) {
		Throwable cause = (failure.getCause() != null) ? failure.getCause() : failure;
		if (cause instanceof TooLongHttpHeaderException) {
			return new LlmApiException(431, LlmApiException.INVALID_REQUEST, "request_header_too_large", null,
					"The request headers are larger than this gateway accepts (server.max-http-request-header-size).",
					null, null);
		}
		if (cause instanceof TooLongHttpLineException) {
			return new LlmApiException(414, LlmApiException.INVALID_REQUEST, "request_line_too_long", null,
					"The request line (method, path and query) is longer than this gateway accepts "
							+ "(server.netty.max-initial-line-length).",
					null, null);
		}
		return new LlmApiException(400, LlmApiException.INVALID_REQUEST, "malformed_request", null,
				"The request is not valid HTTP: a header name or value holds characters HTTP does not allow, "
						+ "or the request line is malformed.",
				null, null);
	}

	private static void respond(ChannelHandlerContext ctx, LlmApiException error) {
		byte[] body = ErrorResponses.body(error);
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
				HttpResponseStatus.valueOf(error.status()), Unpooled.wrappedBuffer(body));
		response.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
			.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
			.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
	}

}
