import { AuthForm } from "./AuthForm";

export function LoginPage() {
  return <AuthForm mode="login" />;
}
