import { addListener } from "@reduxjs/toolkit";
// eslint-disable-next-line no-restricted-imports -- the typed hooks are made here, from the untyped ones
import { useDispatch, useSelector, useStore } from "react-redux";
import type { AppDispatch, AppStore, RootState } from "./store";

export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();
export const useAppStore = useStore.withTypes<AppStore>();

/** Adds a listener to the store's listener middleware from a component (e.g. one that needs the router). */
export const addAppListener = addListener.withTypes<RootState, AppDispatch>();
