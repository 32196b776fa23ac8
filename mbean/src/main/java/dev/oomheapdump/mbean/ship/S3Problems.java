package dev.oomheapdump.mbean.ship;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.io.IOException;
import java.util.Set;

/** Why an upload failed, in one line: credentials refused, store unreachable, no bucket, the file changed. */
public final class S3Problems {

    private static final Set<String> REFUSED = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied",
            "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed", "InvalidSecurity");

    private S3Problems() {
    }

    /** One line that says what failed and what to do about it. */
    public static String describe(Throwable failure, S3Uploader uploader) {
        String where = uploader.where();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AwsServiceException) {
                AwsServiceException e = (AwsServiceException) t;
                String code = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
                String message = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorMessage());
                String said = " (" + e.statusCode() + " " + code + (message.equals("null") ? "" : ": " + message) + ")";
                if (REFUSED.contains(code) || e.statusCode() == 403) {
                    return oneLine(where + " refused the credentials or the access" + said + "; check AWS_ACCESS_KEY_ID, "
                            + "AWS_SECRET_ACCESS_KEY (or the AWS profile) and the bucket's permissions");
                }
                if (code.equals("NoSuchBucket")) {
                    return oneLine("no bucket '" + uploader.target().bucket() + "' at " + where + said);
                }
                return oneLine(where + " failed the upload" + said);
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return "cannot reach " + where + ": connection refused (nothing listens there)";
            }
            if (t instanceof java.net.UnknownHostException) {
                return "cannot reach " + where + ": unknown host '" + t.getMessage() + "'";
            }
            if (t instanceof java.net.SocketTimeoutException) {
                return "cannot reach " + where + ": no answer in time (" + t.getMessage() + ")";
            }
            if (t instanceof java.net.NoRouteToHostException) {
                return "cannot reach " + where + ": no route to host";
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SdkClientException && String.valueOf(t.getMessage()).contains("credentials")) {
                return "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE and a "
                        + "profile file)";
            }
        }
        if (failure instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + failure.getMessage();
        }
        if (failure instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + failure.getMessage();
        }
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            return failure instanceof IOException ? "read failed (" + failure.getClass().getSimpleName() + ")"
                    : "unexpected " + failure.getClass().getSimpleName();
        }
        return oneLine(message);
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() <= 400 ? line : line.substring(0, 397) + "...";
    }
}
